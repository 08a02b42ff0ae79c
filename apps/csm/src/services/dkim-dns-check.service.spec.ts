import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DkimKeyRepository, type DkimKeyRecord } from '../repositories/dkim-key.repository.js';
import { DnsTxtRepository, type TxtLookup } from '../repositories/dns-txt.repository.js';
import { InMemoryEventStore, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { NotFoundError } from '../util/errors.js';
import { DkimDnsCheckService } from './dkim-dns-check.service.js';
import { DkimService } from './dkim.service.js';
import { SecretKeyService } from './secret-key.service.js';

class InMemoryDkimKeys extends DkimKeyRepository {
  readonly records = new Map<string, DkimKeyRecord>();
  async list(): Promise<DkimKeyRecord[]> {
    return [...this.records.values()];
  }
  async create(record: DkimKeyRecord): Promise<boolean> {
    this.records.set(`${record.domain}/${record.selector}`, record);
    return true;
  }
  async put(record: DkimKeyRecord): Promise<void> {
    this.records.set(`${record.domain}/${record.selector}`, record);
  }
  async delete(domain: string, selector: string): Promise<boolean> {
    return this.records.delete(`${domain}/${selector}`);
  }
}

/** A DNS with fixed answers; names not listed have no TXT record. */
class FixedDns extends DnsTxtRepository {
  readonly answers = new Map<string, TxtLookup>();
  async txt(name: string): Promise<TxtLookup> {
    return this.answers.get(name) ?? { kind: 'none' };
  }
}

describe('DkimDnsCheckService', () => {
  let dns: FixedDns;
  let dkim: DkimService;
  let service: DkimDnsCheckService;
  let dnsValue: string;

  beforeEach(async () => {
    dns = new FixedDns();
    dkim = new DkimService(new InMemoryDkimKeys(), testAudit(new InMemoryEventStore()), new SecretKeyService(testConfig({ MOAT_SECRET_KEY: randomBytes(32).toString('base64') })));
    service = new DkimDnsCheckService(dkim, dns);
    dnsValue = (await dkim.generate('example.test', { selector: 's1', algorithm: 'ed25519' }, 'admin')).keys[0]!.dnsValue;
  });

  const statuses = async () => (await service.check('example.test')).records.map((r) => `${r.kind} ${r.status}`);

  it('nothing published: each record missing, with what to publish', async () => {
    const { records } = await service.check('Example.Test');
    expect(records.map((r) => [r.kind, r.name, r.status])).toEqual([
      ['dkim', 's1._domainkey.example.test', 'missing'],
      ['spf', 'example.test', 'missing'],
      ['dmarc', '_dmarc.example.test', 'missing'],
    ]);
    expect(records[0]!.expected).toBe(dnsValue);
    expect(records[1]!.expected).toBe('v=spf1 mx ~all');
    expect(records[2]!.expected).toBe('v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.test');
  });

  it('all published as advised: ok; the DKIM value matches whatever the whitespace and tag order', async () => {
    const p = dnsValue.split('p=')[1]!;
    dns.answers.set('s1._domainkey.example.test', { kind: 'found', records: [`k=ed25519 ; v=DKIM1; p=${p.slice(0, 10)} ${p.slice(10)}`] });
    dns.answers.set('example.test', { kind: 'found', records: ['google-site-verification=x', 'v=spf1 ip4:192.0.2.1 -all'] });
    dns.answers.set('_dmarc.example.test', { kind: 'found', records: ['v=DMARC1; p=reject'] });
    expect(await statuses()).toEqual(['dkim ok', 'spf ok', 'dmarc ok']);
    const { records } = await service.check('example.test');
    expect(records[1]!.found).toEqual(['v=spf1 ip4:192.0.2.1 -all']);
  });

  it('another key, two SPF records, no p= in DMARC: mismatch', async () => {
    dns.answers.set('s1._domainkey.example.test', { kind: 'found', records: ['v=DKIM1; k=ed25519; p=AAAA'] });
    dns.answers.set('example.test', { kind: 'found', records: ['v=spf1 mx -all', 'v=spf1 a -all'] });
    dns.answers.set('_dmarc.example.test', { kind: 'found', records: ['v=DMARC1; rua=mailto:x@example.test'] });
    expect(await statuses()).toEqual(['dkim mismatch', 'spf mismatch', 'dmarc mismatch']);
  });

  it('an SPF without ~all/-all and DMARC p=none: warnings', async () => {
    dns.answers.set('example.test', { kind: 'found', records: ['v=spf1 mx ?all'] });
    dns.answers.set('_dmarc.example.test', { kind: 'found', records: ['v=DMARC1; p=none'] });
    const { records } = await service.check('example.test');
    expect(records.slice(1).map((r) => r.status)).toEqual(['warning', 'warning']);
    expect(records[2]!.message).toContain('p=quarantine');
  });

  it('a failed lookup is a warning in words, not an error', async () => {
    dns.answers.set('_dmarc.example.test', { kind: 'failed', reason: 'the DNS server did not answer in time' });
    const { records } = await service.check('example.test');
    expect(records[2]).toMatchObject({ status: 'warning', message: 'Could not check _dmarc.example.test: the DNS server did not answer in time.' });
  });

  it('a domain without keys is not found', async () => {
    await expect(service.check('other.test')).rejects.toBeInstanceOf(NotFoundError);
  });
});
