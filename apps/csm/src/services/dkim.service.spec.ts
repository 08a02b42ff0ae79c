import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DkimKeyRepository, type DkimKeyRecord } from '../repositories/dkim-key.repository.js';
import { InMemoryEventStore, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../util/errors.js';
import { SecretKeyService } from './secret-key.service.js';
import { DkimService, defaultSelector } from './dkim.service.js';

class InMemoryDkimKeys extends DkimKeyRepository {
  readonly records = new Map<string, DkimKeyRecord>();
  async list(): Promise<DkimKeyRecord[]> {
    return [...this.records.values()];
  }
  async create(record: DkimKeyRecord): Promise<boolean> {
    const key = `${record.domain}/${record.selector}`;
    if (this.records.has(key)) return false;
    this.records.set(key, record);
    return true;
  }
  async put(record: DkimKeyRecord): Promise<void> {
    this.records.set(`${record.domain}/${record.selector}`, record);
  }
  async delete(domain: string, selector: string): Promise<boolean> {
    return this.records.delete(`${domain}/${selector}`);
  }
}

describe('DkimService', () => {
  let keys: InMemoryDkimKeys;
  let store: InMemoryEventStore;
  let service: DkimService;
  let changes: number;

  beforeEach(() => {
    keys = new InMemoryDkimKeys();
    store = new InMemoryEventStore();
    const csmConfig = testConfig({ MOAT_SECRET_KEY: randomBytes(32).toString('base64') });
    service = new DkimService(keys, testAudit(store), new SecretKeyService(csmConfig));
    changes = 0;
    service.watch(() => changes++);
  });

  it('generates an RSA key: DNS record split in 255-octet strings, private key sealed, audited, announced', async () => {
    const view = await service.generate('Example.TEST', { selector: 's1' }, 'admin');
    const key = view.keys[0]!;
    expect(view.domain).toBe('example.test');
    expect(key).toMatchObject({ selector: 's1', algorithm: 'rsa', active: true, dnsName: 's1._domainkey.example.test' });
    expect(key.dnsStrings.join('')).toBe(key.dnsValue);
    expect(key.dnsStrings.map((s) => s.length)).toEqual([255, key.dnsValue.length - 255]);
    const stored = [...keys.records.values()][0]!;
    expect(stored.sealedPrivateKey).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(view)).not.toContain(stored.sealedPrivateKey);
    expect(store.audit.map((e) => `${e.action} ${e.target}`)).toEqual(['dkim.generate s1._domainkey.example.test']);
    expect(changes).toBe(1);
    // The active key opens, and signs what the published key verifies.
    const [active] = await service.activeKeys();
    const p = key.dnsValue.split('p=')[1]!;
    const publicKey = createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
    const signature = sign('sha256', Buffer.from('data'), createPrivateKey(active!.privateKeyPem));
    expect(verify('sha256', Buffer.from('data'), publicKey, signature)).toBe(true);
  });

  it('Ed25519: p= is the raw 32-byte key; rotation makes one key active per domain', async () => {
    await service.generate('example.test', { selector: 'r1', algorithm: 'rsa' }, 'admin');
    const view = await service.generate('example.test', { selector: 'e1', algorithm: 'ed25519', active: false }, 'admin');
    const ed = view.keys.find((k) => k.selector === 'e1')!;
    expect(Buffer.from(ed.dnsValue.split('p=')[1]!, 'base64')).toHaveLength(32);
    expect(ed.active).toBe(false);
    const rotated = await service.activate('example.test', { selector: 'e1' }, 'admin');
    expect(rotated.keys.map((k) => `${k.selector}:${k.active}`)).toEqual(['r1:false', 'e1:true']);
    expect((await service.activeKeys()).map((k) => `${k.domain} ${k.selector} ${k.algorithm}`)).toEqual(['example.test e1 ed25519']);
    await service.remove('example.test', 'e1', 'admin');
    expect(await service.activeKeys()).toEqual([]);
    expect(store.audit.map((e) => e.action)).toEqual(['dkim.generate', 'dkim.generate', 'dkim.activate', 'dkim.delete']);
  });

  it('refuses bad input, a taken selector and unknown keys with clear errors', async () => {
    await expect(service.generate('example.test', { algorithm: 'dsa', selector: 'a b' }, 'admin')).rejects.toMatchObject({ problems: ['algorithm: must be rsa or ed25519', 'selector: must be one DNS label (letters, digits, - and _, at most 63)'] });
    await expect(service.generate('not a domain', {}, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    await service.generate('example.test', { selector: 's1', algorithm: 'ed25519' }, 'admin');
    await expect(service.generate('example.test', { selector: 's1', algorithm: 'ed25519' }, 'admin')).rejects.toBeInstanceOf(ConflictError);
    await expect(service.activate('example.test', { selector: 'nope' }, 'admin')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.show('other.test')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.remove('example.test', 'nope', 'admin')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('names default selectors by algorithm and date', () => {
    expect(defaultSelector('rsa', Date.UTC(2026, 11, 7))).toBe('rsa-20261207');
    expect(defaultSelector('ed25519', Date.UTC(2026, 11, 7))).toBe('ed-20261207');
  });
});
