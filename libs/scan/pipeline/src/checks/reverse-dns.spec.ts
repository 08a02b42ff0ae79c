import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { zoneResolver, type Zone } from '../testing/zone-resolver.js';
import { defaultChecks } from './index.js';

const zone: Zone = {
  '20.100.51.198.in-addr.arpa PTR': ['mail.sender.test'],
  'mail.sender.test A': ['198.51.100.20'],
  '21.100.51.198.in-addr.arpa PTR': ['mail.elsewhere.test'],
  'mail.elsewhere.test A': ['192.0.2.1'],
  '7.113.0.203.in-addr.arpa PTR': ['203-0-113-7.dyn.isp.test'],
  '203-0-113-7.dyn.isp.test A': ['203.0.113.7'],
  '9.113.0.203.in-addr.arpa PTR': 'ETIMEOUT',
  '7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR': ['mx.sender6.test'],
  'mx.sender6.test AAAA': ['2001:0db8:0000:0001:0000:0000:0000:0007'],
};

async function connect(clientIp: string, reverseDns: NonNullable<PolicyInput['smtpChecks']>['reverseDns'] = {}, exemptNetworks?: string[]) {
  const policy = compilePolicy(parsePolicy({ smtpChecks: { reverseDns, ...(exemptNetworks ? { exemptNetworks } : {}) } }), 1);
  const session = new Pipeline(defaultChecks(), { resolver: zoneResolver(zone) }).session(policy, { clientIp });
  const result = await session.connect();
  return { result, symbols: session.symbols().map((s) => ({ name: s.name, score: s.score })) };
}

describe('reverse DNS at connect', () => {
  it('confirms a PTR name that resolves back to the client (FCrDNS), IPv4 and IPv6', async () => {
    expect(await connect('198.51.100.20')).toEqual({ result: { ok: true }, symbols: [{ name: 'RDNS_OK', score: 0 }] });
    expect((await connect('2001:db8:0:1::7')).symbols).toEqual([{ name: 'RDNS_OK', score: 0 }]);
  });

  it('scores a PTR name that does not resolve back, and a generic one, with the policy scores', async () => {
    expect((await connect('198.51.100.21', { notConfirmedScore: 2.5 })).symbols).toEqual([{ name: 'RDNS_NOT_CONFIRMED', score: 2.5 }]);
    expect((await connect('203.0.113.7')).symbols).toEqual([
      { name: 'RDNS_OK', score: 0 },
      { name: 'RDNS_GENERIC', score: 1 },
    ]);
  });

  it('scores a client without PTR, and refuses it with 554 5.7.25 when the policy says rejectNone', async () => {
    expect(await connect('192.0.2.99')).toEqual({ result: { ok: true }, symbols: [{ name: 'RDNS_NONE', score: 1.5 }] });
    const refused = await connect('192.0.2.99', { rejectNone: true });
    expect(refused.result).toMatchObject({ ok: false, reply: { code: 554, message: expect.stringContaining('5.7.25') } });
  });

  it('never refuses for a DNS failure, and leaves exempt networks and a disabled check alone', async () => {
    expect(await connect('203.0.113.9', { rejectNone: true })).toEqual({ result: { ok: true }, symbols: [{ name: 'RDNS_TEMPFAIL', score: 0 }] });
    expect((await connect('192.0.2.99', { rejectNone: true }, ['192.0.2.0/24'])).symbols).toEqual([]);
    expect((await connect('192.0.2.99', { enabled: false, rejectNone: true })).symbols).toEqual([]);
  });
});
