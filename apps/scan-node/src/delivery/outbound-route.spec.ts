import { DnsError, type DnsResolver } from '@moat/auth';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { outboundRoute } from './outbound-route.js';

const outbound = (delivery: object = {}) => parsePolicy({ domains: [{ name: 'example.test', downstream: { host: 'mx' } }], outbound: { delivery } }).outbound;
const resolver = (answers: Record<string, { exchange: string; priority: number }[] | Error>): Pick<DnsResolver, 'query'> => ({
  query: (async (name: string) => {
    const answer = answers[name];
    if (answer instanceof Error) throw answer;
    return answer ?? [];
  }) as DnsResolver['query'],
});

describe('outbound routes', () => {
  it("use the sender domain's smarthost, else the * one", async () => {
    const policy = outbound({ smarthosts: [{ senderDomain: 'example.test', host: 'relay.isp.test', port: 587, tls: 'required' }, { senderDomain: '*', host: 'any.isp.test' }] });
    expect(await outboundRoute(policy, resolver({}), 'alice@example.test', 'remote.test')).toEqual({ downstream: { host: 'relay.isp.test', port: 587, tls: 'required' } });
    expect(await outboundRoute(policy, resolver({}), '', 'remote.test')).toEqual({ downstream: { host: 'any.isp.test', port: 25, tls: 'opportunistic' } });
  });

  it('go to the MX with the lowest preference, with TLS required where the policy says', async () => {
    const dns = resolver({ 'remote.test': [{ exchange: 'mx2.remote.test', priority: 20 }, { exchange: 'mx1.remote.test.', priority: 10 }] });
    expect(await outboundRoute(outbound(), dns, 'alice@example.test', 'remote.test')).toEqual({ downstream: { host: 'mx1.remote.test', port: 25, tls: 'opportunistic' } });
    expect(await outboundRoute(outbound({ requireTls: ['remote.test'] }), dns, 'alice@example.test', 'remote.test')).toMatchObject({ downstream: { tls: 'required' } });
  });

  it('use the domain itself without MX, bounce a null MX, defer a failed lookup', async () => {
    const dns = resolver({ 'nomx.test': new DnsError('ENODATA', 'nomx.test', 'MX'), 'null.test': [{ exchange: '.', priority: 0 }], 'broken.test': new DnsError('ESERVFAIL', 'broken.test', 'MX') });
    expect(await outboundRoute(outbound(), dns, 'a@example.test', 'nomx.test')).toEqual({ downstream: { host: 'nomx.test', port: 25, tls: 'opportunistic' } });
    expect(await outboundRoute(outbound(), dns, 'a@example.test', 'null.test')).toMatchObject({ outcome: 'bounced', response: expect.stringContaining('5.1.10') });
    expect(await outboundRoute(outbound(), dns, 'a@example.test', 'broken.test')).toMatchObject({ outcome: 'deferred' });
  });
});
