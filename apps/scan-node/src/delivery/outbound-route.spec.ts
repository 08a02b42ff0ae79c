import { DnsError, type DnsAnswers, type DnsRecordType } from '@moat/auth';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import type { MtaStsPolicy } from './mta-sts.js';
import { outboundRoute, type RouteDeps } from './outbound-route.js';

const outbound = (delivery: object = {}) => parsePolicy({ domains: [{ name: 'example.test', downstream: { host: 'mx' } }], outbound: { delivery } }).outbound;
const addresses = { 'mx1.remote.test': ['192.0.2.1'], 'mx2.remote.test': ['192.0.2.2'], 'nomx.test': ['192.0.2.9'] };
type Answer = DnsAnswers['MX'] | DnsAnswers['TLSA'] | Error;

/** A resolver answering from ANSWERS; names in SIGNED come back validated (the AD bit) when asked securely. */
function deps(answers: Record<string, Answer>, options: { signed?: string[]; sts?: Record<string, MtaStsPolicy> } = {}): RouteDeps {
  const lookup = async (name: string, type: DnsRecordType): Promise<unknown> => {
    if (type === 'A' || type === 'AAAA') {
      const found = type === 'A' ? addresses[name as keyof typeof addresses] : undefined;
      if (!found) throw new DnsError('ENODATA', name, type);
      return found;
    }
    const answer = answers[name];
    if (answer instanceof Error) throw answer;
    return answer ?? [];
  };
  return {
    resolver: {
      query: <T extends DnsRecordType>(name: string, type: T) => lookup(name, type) as Promise<DnsAnswers[T]>,
      secure: async <T extends DnsRecordType>(name: string, type: T) => ({ answer: (await lookup(name, type)) as DnsAnswers[T], authentic: options.signed?.includes(name) ?? false }),
    },
    mtaSts: { policyFor: async (domain: string) => options.sts?.[domain] },
  };
}

const enforce = (mx: string[], mode: MtaStsPolicy['mode'] = 'enforce'): MtaStsPolicy => ({ id: '1', mode, mx, maxAgeSeconds: 86400, expiresAtMs: Date.now() + 86_400_000 });
const tlsa = { usage: 3, selector: 1, matchingType: 1, certificate: Buffer.alloc(32, 7) };
const twoMx = { 'remote.test': [{ exchange: 'mx2.remote.test', priority: 20 }, { exchange: 'mx1.remote.test.', priority: 10 }] };
const mx1 = { host: '192.0.2.1', port: 25, tlsName: 'mx1.remote.test' };
const mx2 = { host: '192.0.2.2', port: 25, tlsName: 'mx2.remote.test' };

describe('outbound routes', () => {
  it("use the sender domain's smarthost, else the * one", async () => {
    const policy = outbound({ smarthosts: [{ senderDomain: 'example.test', host: 'relay.isp.test', port: 587, tls: 'required' }, { senderDomain: '*', host: 'any.isp.test' }] });
    expect(await outboundRoute(policy, deps({}), 'alice@example.test', 'remote.test')).toEqual({ downstream: { host: 'relay.isp.test', port: 587, tls: 'required' } });
    expect(await outboundRoute(policy, deps({}), '', 'remote.test')).toEqual({ downstream: { host: 'any.isp.test', port: 25, tls: 'opportunistic' } });
  });

  it('go to the MX with the lowest preference, with TLS required where the policy says', async () => {
    expect(await outboundRoute(outbound(), deps(twoMx), 'alice@example.test', 'remote.test')).toEqual({ downstream: { ...mx1, tls: 'opportunistic' } });
    expect(await outboundRoute(outbound({ requireTls: ['remote.test'] }), deps(twoMx), 'alice@example.test', 'remote.test')).toMatchObject({ downstream: { tls: 'required' } });
  });

  it('use the domain itself without MX, bounce a null MX, defer a failed lookup', async () => {
    const dns = deps({ 'nomx.test': new DnsError('ENODATA', 'nomx.test', 'MX'), 'null.test': [{ exchange: '.', priority: 0 }], 'broken.test': new DnsError('ESERVFAIL', 'broken.test', 'MX') });
    expect(await outboundRoute(outbound(), dns, 'a@example.test', 'nomx.test')).toEqual({ downstream: { host: '192.0.2.9', port: 25, tlsName: 'nomx.test', tls: 'opportunistic' } });
    expect(await outboundRoute(outbound(), dns, 'a@example.test', 'null.test')).toMatchObject({ outcome: 'bounced', response: expect.stringContaining('5.1.10') });
    expect(await outboundRoute(outbound(), dns, 'a@example.test', 'broken.test')).toMatchObject({ outcome: 'deferred' });
  });

  it('follow an enforced MTA-STS policy: only listed MX hosts, TLS required; testing mode changes nothing', async () => {
    const only2 = deps(twoMx, { sts: { 'remote.test': enforce(['*.other.test', 'mx2.remote.test']) } });
    expect(await outboundRoute(outbound(), only2, 'a@example.test', 'remote.test')).toEqual({ downstream: { ...mx2, tls: 'required' } });
    const none = deps(twoMx, { sts: { 'remote.test': enforce(['mail.elsewhere.test']) } });
    expect(await outboundRoute(outbound(), none, 'a@example.test', 'remote.test')).toMatchObject({ outcome: 'deferred', response: expect.stringContaining('MTA-STS') });
    const testing = deps(twoMx, { sts: { 'remote.test': enforce(['mail.elsewhere.test'], 'testing') } });
    expect(await outboundRoute(outbound(), testing, 'a@example.test', 'remote.test')).toEqual({ downstream: { ...mx1, tls: 'opportunistic' } });
    expect(await outboundRoute(outbound({ mtaSts: false }), none, 'a@example.test', 'remote.test')).toMatchObject({ downstream: { tlsName: 'mx1.remote.test' } });
  });

  it('use DANE only when both the MX and the TLSA answers are validated, and before MTA-STS', async () => {
    const answers = { ...twoMx, '_25._tcp.mx1.remote.test': [tlsa] };
    const signed = deps(answers, { signed: ['remote.test', '_25._tcp.mx1.remote.test'], sts: { 'remote.test': enforce(['*.remote.test']) } });
    expect(await outboundRoute(outbound(), signed, 'a@example.test', 'remote.test')).toEqual({ downstream: { ...mx1, tls: 'required', dane: [tlsa] } });
    const unsignedMx = deps(answers, { signed: ['_25._tcp.mx1.remote.test'] });
    expect(await outboundRoute(outbound(), unsignedMx, 'a@example.test', 'remote.test')).toEqual({ downstream: { ...mx1, tls: 'opportunistic' } });
    const pkixOnly = deps({ ...twoMx, '_25._tcp.mx1.remote.test': [{ ...tlsa, usage: 1 }] }, { signed: ['remote.test', '_25._tcp.mx1.remote.test'] });
    expect(await outboundRoute(outbound(), pkixOnly, 'a@example.test', 'remote.test')).toEqual({ downstream: { ...mx1, tls: 'opportunistic' } });
    expect(await outboundRoute(outbound({ dane: false }), signed, 'a@example.test', 'remote.test')).toEqual({ downstream: { ...mx1, tls: 'required' } });
  });

  it('defer rather than go without DANE when the TLSA lookup of a signed MX fails', async () => {
    const failing = deps({ ...twoMx, '_25._tcp.mx1.remote.test': new DnsError('ESERVFAIL', '_25._tcp.mx1.remote.test', 'TLSA') }, { signed: ['remote.test'] });
    expect(await outboundRoute(outbound(), failing, 'a@example.test', 'remote.test')).toMatchObject({ outcome: 'deferred', response: expect.stringContaining('TLSA lookup') });
  });
});
