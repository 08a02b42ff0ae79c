import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { CertificateSet, DomainCertificate } from '@moat/proto/grpc';
import {
  CertificateError,
  certificateDomain,
  certificateInfo,
  daysLeft,
  generateKeyAndCsr,
  KEY_TYPES,
  parseCertificates,
  parsePrivateKey,
  validateCertificate,
  type KeyType,
} from '@moat/tls';
import { createHash } from 'node:crypto';
import { ConfigRepository, type CertificateRecord } from '../repositories/config.repository.js';
import { errorMessage, InvalidInputError, NotFoundError } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { AuditService } from './audit.service.js';
import { SecretKeyService } from './secret-key.service.js';

/** A certificate expiring within this many days carries a warning. */
export const EXPIRY_WARNING_DAYS = 30;

/** What the API shows of a domain's certificate: never a key. */
export interface CertificateView {
  domain: string;
  /** active: nodes serve it; pending: a CSR waits for its certificate (and nothing is served yet). */
  status: 'active' | 'pending';
  keyType: string;
  subject: string;
  sans: string[];
  issuer: string;
  /** Epoch ms; 0 without an active certificate. */
  notBefore: number;
  notAfter: number;
  daysLeft: number;
  fingerprint: string;
  /** "" or why the certificate needs attention (expires within 30 days, expired). */
  warning: string;
  /** True while a CSR made here waits for its certificate (a renewal: the active certificate is still served). */
  csrPending: boolean;
}

type Listener = (set: CertificateSet) => void;

/**
 * Per-domain TLS certificates that scan nodes serve by SNI. Keys are made here with a CSR (or imported), kept in
 * the config of record sealed with the CSM's SecretBox (AES-256-GCM; MOAT_SECRET_KEY or <data>/secret.key, as DKIM keys),
 * and decrypted only to send them to authenticated nodes (WatchCertificates). Every change is audited before it is
 * stored; changes made by another replica arrive through the KV watch.
 */
@Injectable()
export class CertificateService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('certificates');
  private readonly stopping = new AbortController();
  private readonly listeners = new Set<Listener>();
  private current: CertificateSet | undefined;
  private changes: Promise<unknown> = Promise.resolve();
  private reloads: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: ConfigRepository,
    private readonly audit: AuditService,
    private readonly secrets: SecretKeyService,
  ) {}

  onApplicationBootstrap(): void {
    void retryUntilDone('certificate watch', () => this.follow(), this.stopping.signal, this.logger);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /** Sends the current set to LISTENER (when loaded) and every new one, until the returned function is called. */
  watch(listener: Listener): () => void {
    if (this.current) listener(this.current);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async list(now = Date.now()): Promise<CertificateView[]> {
    const records = await this.config.listCertificates();
    return records.map((record) => view(record, now)).sort((a, b) => a.domain.localeCompare(b.domain));
  }

  /** A new key for DOMAIN (kept encrypted, pending) and its CSR; the active certificate, if any, is served until the new one is uploaded. */
  async createCsr(input: unknown, admin: string): Promise<{ domain: string; keyType: KeyType; csr: string }> {
    const body = object(input);
    const domain = parseDomain(body['domain']);
    const keyType = body['keyType'] ?? 'rsa';
    if (typeof keyType !== 'string' || !KEY_TYPES.includes(keyType as KeyType)) throw new InvalidInputError('invalid CSR request', [`keyType: must be one of ${KEY_TYPES.join(', ')}`]);
    const { key, csr } = await generateKeyAndCsr(domain, keyType as KeyType);
    const box = await this.secrets.box();
    await this.change(domain, admin, 'certificate.csr', `${keyType} key and CSR`, (record) => ({
      domain,
      ...(record?.active ? { active: record.active } : {}),
      pending: { keyType, key: box.seal(key, domain), csr, createdAtMs: Date.now() },
      updatedAtMs: Date.now(),
    }));
    return { domain, keyType: keyType as KeyType, csr };
  }

  /** The CSR waiting for its certificate. */
  async csr(domainInput: string): Promise<string> {
    const domain = parseDomain(domainInput);
    const record = await this.config.getCertificate(domain);
    if (!record?.pending) throw new NotFoundError(`no CSR is waiting for a certificate for ${domain}`);
    return record.pending.csr;
  }

  /** Installs the certificate (and chain) issued for the pending CSR's key, or re-issued for the active key. */
  async upload(domainInput: string, input: unknown, admin: string): Promise<CertificateView> {
    const domain = parseDomain(domainInput);
    const { certificate, chain } = certificateInput(input, false);
    const box = await this.secrets.box();
    const record = await this.change(domain, admin, 'certificate.upload', 'certificate uploaded', (existing) => {
      const candidates = [...(existing?.pending ? [{ keyType: existing.pending.keyType, key: existing.pending.key, pending: true }] : []), ...(existing?.active ? [{ keyType: existing.active.keyType, key: existing.active.key, pending: false }] : [])];
      if (candidates.length === 0) throw new InvalidInputError(`no key is kept for ${domain}: make a CSR first (POST /api/certificates/csr) or import the certificate with its key`);
      let firstError: unknown;
      for (const candidate of candidates) {
        try {
          const valid = validateCertificate(domain, certificate, chain, parsePrivateKey(box.open(candidate.key, domain)));
          return {
            domain,
            active: { keyType: candidate.keyType, key: candidate.key, certificate: valid.certificate, chain: valid.chain },
            ...(!candidate.pending && existing?.pending ? { pending: existing.pending } : {}),
            updatedAtMs: Date.now(),
          };
        } catch (err) {
          firstError ??= err;
        }
      }
      throw invalid(firstError);
    });
    return view(record, Date.now());
  }

  /** Installs a certificate with a key made elsewhere; the key is encrypted before it is stored. */
  async importCertificate(domainInput: string, input: unknown, admin: string): Promise<CertificateView> {
    const domain = parseDomain(domainInput);
    const { certificate, chain, key } = certificateInput(input, true);
    const box = await this.secrets.box();
    let keyType: string;
    let valid: ReturnType<typeof validateCertificate>;
    try {
      const privateKey = parsePrivateKey(key);
      keyType = privateKey.asymmetricKeyType === 'ec' ? 'ecdsa' : (privateKey.asymmetricKeyType ?? 'unknown');
      valid = validateCertificate(domain, certificate, chain, privateKey);
    } catch (err) {
      throw invalid(err);
    }
    const record = await this.change(domain, admin, 'certificate.import', 'certificate and key imported', (existing) => ({
      domain,
      active: { keyType, key: box.seal(key, domain), certificate: valid.certificate, chain: valid.chain },
      ...(existing?.pending ? { pending: existing.pending } : {}),
      updatedAtMs: Date.now(),
    }));
    return view(record, Date.now());
  }

  async remove(domainInput: string, admin: string): Promise<void> {
    const domain = parseDomain(domainInput);
    await this.change(domain, admin, 'certificate.remove', 'certificate and keys removed', () => undefined);
  }

  /**
   * Applies EDIT to DOMAIN's record in turn with every other change from this process, audits it, stores the
   * result (undefined deletes) and sends the new set to the nodes.
   */
  private change(domain: string, admin: string, action: string, detail: string, edit: (record: CertificateRecord | undefined) => CertificateRecord): Promise<CertificateRecord>;
  private change(domain: string, admin: string, action: string, detail: string, edit: (record: CertificateRecord | undefined) => undefined): Promise<undefined>;
  private change(domain: string, admin: string, action: string, detail: string, edit: (record: CertificateRecord | undefined) => CertificateRecord | undefined): Promise<CertificateRecord | undefined> {
    const task = async () => {
      const existing = await this.config.getCertificate(domain);
      if (!existing && action === 'certificate.remove') throw new NotFoundError(`no certificate is kept for ${domain}`);
      const next = edit(existing);
      await this.audit.record({ admin, action, target: domain, detail });
      if (next) await this.config.putCertificate(next);
      else await this.config.deleteCertificate(domain);
      this.logger.log(`${action} ${domain} by ${admin}`);
      await this.reload();
      return next;
    };
    const result = this.changes.then(task, task);
    this.changes = result.catch(() => undefined);
    return result;
  }

  private async follow(): Promise<void> {
    const changes = this.config.watchCertificates(this.stopping.signal)[Symbol.asyncIterator]();
    while (!(await changes.next()).done) await this.reload();
    if (!this.stopping.signal.aborted) throw new Error('certificate watch ended');
  }

  /** Reads every record, decrypts the active keys and sends the set to the nodes when it changed. */
  private reload(): Promise<void> {
    const task = async () => {
      const certificates: DomainCertificate[] = [];
      const records = (await this.config.listCertificates()).filter((r) => r.active).sort((a, b) => a.domain.localeCompare(b.domain));
      // The secret key is read only when there is a key to open: a fresh CSM does not race DKIM to create secret.key.
      const box = records.length > 0 ? await this.secrets.box() : undefined;
      for (const record of records) {
        if (!record.active || !box) continue;
        try {
          certificates.push({ domain: record.domain, certificatePem: record.active.certificate, chainPem: record.active.chain, keyPem: box.open(record.active.key, record.domain) });
        } catch (err) {
          this.logger.error(`the key of ${record.domain} does not decrypt with this CSM's key-encryption key (MOAT_SECRET_KEY or <data>/secret.key): ${errorMessage(err)}; not sent to nodes`);
        }
      }
      const digest = createHash('sha256').update(JSON.stringify(certificates)).digest('hex');
      if (this.current?.digest === digest) return;
      this.current = { certificates, digest };
      for (const listener of this.listeners) listener(this.current);
    };
    const result = this.reloads.then(task, task);
    this.reloads = result.catch(() => undefined);
    return result;
  }

  /** The key-encryption key the CSM seals secrets with (MOAT_SECRET_KEY or <data>/secret.key), shared with DKIM keys. */
}

function view(record: CertificateRecord, now: number): CertificateView {
  const active = record.active;
  const base = { domain: record.domain, csrPending: record.pending !== undefined };
  if (!active) {
    return { ...base, status: 'pending', keyType: record.pending?.keyType ?? '', subject: '', sans: [], issuer: '', notBefore: 0, notAfter: 0, daysLeft: 0, fingerprint: '', warning: '' };
  }
  const [leaf] = parseCertificates(active.certificate, 'certificate');
  if (!leaf) throw new Error(`stored certificate of ${record.domain} holds no certificate`);
  const info = certificateInfo(leaf);
  const days = daysLeft(info.notAfterMs, now);
  const warning = info.notAfterMs < now ? `expired ${-days} days ago` : days < EXPIRY_WARNING_DAYS ? `expires in ${days} days` : '';
  return { ...base, status: 'active', keyType: active.keyType, subject: info.subject, sans: info.sans, issuer: info.issuer, notBefore: info.notBeforeMs, notAfter: info.notAfterMs, daysLeft: days, fingerprint: info.fingerprint, warning };
}

function object(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
}

function parseDomain(value: unknown): string {
  const domain = typeof value === 'string' ? certificateDomain(value) : undefined;
  if (!domain) throw new InvalidInputError('invalid domain', ['domain: must be a DNS name such as mail.example.com or *.example.com']);
  return domain;
}

function certificateInput(input: unknown, withKey: true): { certificate: string; chain: string; key: string };
function certificateInput(input: unknown, withKey: false): { certificate: string; chain: string };
function certificateInput(input: unknown, withKey: boolean): { certificate: string; chain: string; key?: string } {
  const body = object(input);
  const problems: string[] = [];
  if (typeof body['certificate'] !== 'string' || !body['certificate'].trim()) problems.push('certificate: must be the PEM text of the certificate');
  if (body['chain'] !== undefined && typeof body['chain'] !== 'string') problems.push('chain: must be PEM text (the intermediates), if given');
  if (withKey && (typeof body['key'] !== 'string' || !body['key'].trim())) problems.push('key: must be the PEM text of the unencrypted private key');
  if (problems.length > 0) throw new InvalidInputError('invalid certificate', problems);
  return { certificate: body['certificate'] as string, chain: (body['chain'] as string | undefined) ?? '', ...(withKey ? { key: body['key'] as string } : {}) };
}

function invalid(err: unknown): unknown {
  return err instanceof CertificateError ? new InvalidInputError(err.message) : err;
}
