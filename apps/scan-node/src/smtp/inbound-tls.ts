import type { TlsSettings } from '@moat/policy';
import type { DomainCertificate } from '@moat/proto/grpc';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { errorText, type Logger } from '../log.js';
import { writeFileAtomically } from '../storage/durable-fs.js';
import type { TlsCertificate } from './tls-certificate.js';

/** The part of smtp-server this drives: its default context is rebuilt from these options. */
export interface TlsServer {
  updateSecureContext(options: SecureContextOptions): void;
}

/**
 * The node's inbound TLS: the policy's protocol floor and ciphers, the node's own certificate for clients that
 * ask for no known name, and the per-domain certificates the CSM sends (WatchCertificates), chosen by SNI
 * (exact name, else `*.parent`). A new set or policy rebuilds the contexts and swaps them with one assignment:
 * sessions in progress keep theirs, the next handshake uses the new ones, and the node never restarts.
 *
 * The set is also kept in `<data>/tls/domains.json` (mode 0600, like the node's own key next to it and its
 * identity), so a node that restarts while the CSM is away still serves the domains' certificates.
 */
export class InboundTls {
  private contexts = new Map<string, SecureContext>();
  private domains: DomainCertificate[] = [];
  private digest = '';
  private settings: TlsSettings;
  private readonly servers: TlsServer[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly own: TlsCertificate,
    settings: TlsSettings,
    private readonly log: Logger,
  ) {
    this.settings = settings;
  }

  private get file(): string {
    return join(this.dataDir, 'tls', 'domains.json');
  }

  /** Loads the set kept from the last run, if any (a damaged file is logged and ignored: the CSM sends it again). */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      const kept = JSON.parse(text) as { digest: string; certificates: DomainCertificate[] };
      this.use(kept.certificates, kept.digest);
    } catch (err) {
      this.log.warn(`${this.file}: ignored (${errorText(err)}); waiting for the CSM's certificates`);
    }
  }

  /** Smtp-server options for the default context and SNI. */
  serverOptions(): SecureContextOptions & { SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void } {
    return { ...this.defaultOptions(), SNICallback: (name, cb) => cb(null, this.contextFor(name)) };
  }

  /** Starts driving SERVER's default context (policy changes); every listener (relay, submission) attaches. */
  attach(server: TlsServer): void {
    this.servers.push(server);
  }

  /** A new policy: rebuilds every context when its TLS settings changed. */
  applySettings(settings: TlsSettings): void {
    if (settings.minVersion === this.settings.minVersion && settings.ciphers === this.settings.ciphers) return;
    const previous = this.settings;
    this.settings = settings;
    try {
      createSecureContext(this.defaultOptions());
    } catch (err) {
      this.settings = previous;
      this.log.error(`inbound TLS: policy tls settings refused by OpenSSL (${errorText(err)}); keeping the previous ones`);
      return;
    }
    this.contexts = this.build(this.domains);
    for (const server of this.servers) server.updateSecureContext(this.defaultOptions());
    this.log.info(`inbound TLS: TLS ${settings.minVersion} and later${settings.ciphers ? `, ciphers ${settings.ciphers}` : ''}`);
  }

  /** A set from the CSM: swapped in (and kept on disk) unless it is the one in use. */
  async applyCertificates(certificates: DomainCertificate[], digest: string): Promise<void> {
    if (digest === this.digest) return;
    this.use(certificates, digest);
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomically(this.file, JSON.stringify({ digest, certificates }), 0o600);
  }

  /** The domains served with their own certificate. */
  get domainNames(): string[] {
    return [...this.contexts.keys()];
  }

  private use(certificates: DomainCertificate[], digest: string): void {
    this.contexts = this.build(certificates);
    this.domains = certificates;
    this.digest = digest;
    this.log.info(`inbound TLS: certificates for ${this.contexts.size ? [...this.contexts.keys()].join(', ') : 'no domain'} (others get the node's own)`);
  }

  /** One context per usable certificate; one that does not load (key mismatch, bad PEM) is logged and skipped. */
  private build(certificates: readonly DomainCertificate[]): Map<string, SecureContext> {
    const contexts = new Map<string, SecureContext>();
    for (const c of certificates) {
      try {
        contexts.set(c.domain.toLowerCase(), createSecureContext({ ...this.protocolOptions(), key: c.keyPem, cert: c.certificatePem + c.chainPem }));
      } catch (err) {
        this.log.error(`inbound TLS: the certificate for ${c.domain} cannot be served (${errorText(err)}); clients asking for it get the node's own`);
      }
    }
    return contexts;
  }

  private contextFor(serverName: string): SecureContext | undefined {
    const name = serverName.toLowerCase();
    const exact = this.contexts.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return dot > 0 ? this.contexts.get(`*${name.slice(dot)}`) : undefined;
  }

  private defaultOptions(): SecureContextOptions {
    return { ...this.protocolOptions(), key: this.own.key, cert: this.own.cert };
  }

  private protocolOptions(): SecureContextOptions {
    return {
      minVersion: this.settings.minVersion === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
      honorCipherOrder: true,
      ...(this.settings.ciphers ? { ciphers: this.settings.ciphers } : {}),
    };
  }
}
