import { Injectable } from '@nestjs/common';
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { DkimKeyRepository, dkimKeyName, type DkimAlgorithm, type DkimKeyRecord } from '../repositories/dkim-key.repository.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../util/errors.js';
import { AuditService } from './audit.service.js';
import { SecretKeyService } from './secret-key.service.js';

const generate = promisify(generateKeyPair);
const ALGORITHMS: readonly DkimAlgorithm[] = ['rsa', 'ed25519'];
const LABEL = /^[a-z0-9_-]{1,63}$/;
/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = 12;

export interface DkimKeyView {
  selector: string;
  algorithm: DkimAlgorithm;
  active: boolean;
  createdAtMs: number;
  /** `<selector>._domainkey.<domain>` */
  dnsName: string;
  /** The TXT record's value, `v=DKIM1; k=rsa; p=...` */
  dnsValue: string;
  /** The value split into character-strings of at most 255 octets, as a zone file writes it. */
  dnsStrings: string[];
}

export interface DkimDomainView {
  domain: string;
  keys: DkimKeyView[];
}

/** An active key with its private key opened, for the nodes (SigningKeys on the gRPC link). */
export interface ActiveSigningKey {
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  privateKeyPem: string;
}

/**
 * DKIM keys per sending domain (F12): generated here (RSA 2048 or Ed25519), private keys sealed at rest
 * with the CSM's secret key, the DNS record to publish, rotation by changing the active selector. Each
 * change is audited and sent to the nodes, which sign outbound mail with the active key of its domain.
 */
@Injectable()
export class DkimService {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly keys: DkimKeyRepository,
    private readonly audit: AuditService,
    private readonly secrets: SecretKeyService,
  ) {}

  async list(): Promise<DkimDomainView[]> {
    const byDomain = new Map<string, DkimKeyRecord[]>();
    for (const record of await this.keys.list()) byDomain.set(record.domain, [...(byDomain.get(record.domain) ?? []), record]);
    return [...byDomain].sort(([a], [b]) => a.localeCompare(b)).map(([domain, records]) => domainView(domain, records));
  }

  async show(domain: string): Promise<DkimDomainView> {
    const name = parseDomain(domain);
    const records = (await this.keys.list()).filter((r) => r.domain === name);
    if (records.length === 0) throw new NotFoundError(`no DKIM key for ${name}`);
    return domainView(name, records);
  }

  /** Generates a key (`{selector?, algorithm?, active?}`); it signs the domain's mail unless `active: false`. */
  async generate(domain: string, input: unknown, author: string): Promise<DkimDomainView> {
    const name = parseDomain(domain);
    const body = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    const problems: string[] = [];
    const algorithm = body['algorithm'] ?? 'rsa';
    if (typeof algorithm !== 'string' || !ALGORITHMS.includes(algorithm as DkimAlgorithm)) problems.push('algorithm: must be rsa or ed25519');
    const selector = body['selector'] ?? defaultSelector(algorithm === 'ed25519' ? 'ed25519' : 'rsa', Date.now());
    if (typeof selector !== 'string' || !validLabel(selector)) problems.push('selector: must be one DNS label (letters, digits, - and _, at most 63)');
    if (body['active'] !== undefined && typeof body['active'] !== 'boolean') problems.push('active: must be true or false');
    if (problems.length > 0) throw new InvalidInputError('DKIM key not generated', problems);
    const active = body['active'] !== false;
    const chosen = (selector as string).toLowerCase();
    const kind = algorithm as DkimAlgorithm;
    const pair = kind === 'rsa' ? await generate('rsa', { modulusLength: 2048 }) : await generate('ed25519');
    const record: DkimKeyRecord = {
      domain: name,
      selector: chosen,
      algorithm: kind,
      active: false,
      createdAtMs: Date.now(),
      publicKey: publicKeyTag(kind, pair.publicKey),
      sealedPrivateKey: (await this.secrets.box()).seal(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), dkimKeyName(name, chosen)),
    };
    if (!(await this.keys.create(record))) throw new ConflictError(`${name} already has a DKIM key with selector ${chosen}`);
    await this.audit.record({ admin: author, action: 'dkim.generate', target: `${chosen}._domainkey.${name}`, detail: `${kind}${active ? ', active' : ''}` });
    if (active) await this.makeActive(name, chosen);
    this.changed();
    return this.show(name);
  }

  /** Rotation: `{selector}` becomes the key that signs DOMAIN's mail. */
  async activate(domain: string, input: unknown, author: string): Promise<DkimDomainView> {
    const name = parseDomain(domain);
    const selector = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)['selector'] : undefined;
    if (typeof selector !== 'string' || !validLabel(selector)) throw new InvalidInputError('no key activated', ['selector: must be one DNS label']);
    await this.audit.record({ admin: author, action: 'dkim.activate', target: `${selector.toLowerCase()}._domainkey.${name}` });
    await this.makeActive(name, selector.toLowerCase());
    this.changed();
    return this.show(name);
  }

  async remove(domain: string, selector: string, author: string): Promise<void> {
    const name = parseDomain(domain);
    if (!validLabel(selector)) throw new InvalidInputError('no key deleted', ['selector: must be one DNS label']);
    const target = `${selector.toLowerCase()}._domainkey.${name}`;
    if (!(await this.keys.list()).some((r) => r.domain === name && r.selector === selector.toLowerCase())) throw new NotFoundError(`no DKIM key ${target}`);
    await this.audit.record({ admin: author, action: 'dkim.delete', target });
    await this.keys.delete(name, selector.toLowerCase());
    this.changed();
  }

  /** The active key of each domain, private keys opened: what the nodes sign with. */
  async activeKeys(): Promise<ActiveSigningKey[]> {
    const box = await this.secrets.box();
    return (await this.keys.list())
      .filter((r) => r.active)
      .map((r) => ({ domain: r.domain, selector: r.selector, algorithm: r.algorithm, privateKeyPem: box.open(r.sealedPrivateKey, dkimKeyName(r.domain, r.selector)) }));
  }

  /** LISTENER runs after every change of the keys; returns the unsubscribe function. */
  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async makeActive(domain: string, selector: string): Promise<void> {
    const records = (await this.keys.list()).filter((r) => r.domain === domain);
    if (!records.some((r) => r.selector === selector)) throw new NotFoundError(`no DKIM key ${selector}._domainkey.${domain}`);
    for (const record of records) {
      const active = record.selector === selector;
      if (record.active !== active) await this.keys.put({ ...record, active });
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

}

function parseDomain(domain: string): string {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  const labels = name.split('.');
  if (name.length > 253 || labels.length < 2 || !labels.every(validLabel)) throw new InvalidInputError(`"${domain.slice(0, 100)}" is not a domain name`);
  return name;
}

function validLabel(label: string): boolean {
  return LABEL.test(label.toLowerCase()) && !label.startsWith('-') && !label.endsWith('-');
}

/** e.g. `rsa-20261207`, `ed-20261207`. */
export function defaultSelector(algorithm: DkimAlgorithm, nowMs: number): string {
  return `${algorithm === 'rsa' ? 'rsa' : 'ed'}-${new Date(nowMs).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The p= tag: the SubjectPublicKeyInfo for RSA (RFC 6376), the raw 32-byte key for Ed25519 (RFC 8463). */
function publicKeyTag(algorithm: DkimAlgorithm, key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return (algorithm === 'rsa' ? der : der.subarray(ED25519_SPKI_PREFIX)).toString('base64');
}

function domainView(domain: string, records: DkimKeyRecord[]): DkimDomainView {
  return {
    domain,
    keys: records
      .sort((a, b) => a.createdAtMs - b.createdAtMs)
      .map((r) => {
        const dnsValue = `v=DKIM1; k=${r.algorithm}; p=${r.publicKey}`;
        const dnsStrings: string[] = [];
        for (let i = 0; i < dnsValue.length; i += 255) dnsStrings.push(dnsValue.slice(i, i + 255));
        return { selector: r.selector, algorithm: r.algorithm, active: r.active, createdAtMs: r.createdAtMs, dnsName: `${r.selector}._domainkey.${domain}`, dnsValue, dnsStrings };
      }),
  };
}
