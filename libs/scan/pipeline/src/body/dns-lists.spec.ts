import type { DnsAnswers, DnsRecordType, DnsResolver } from '@moat/auth';
import { DnsError } from '@moat/auth';
import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { askList, reversedIp } from './dns-lists.js';

function resolverAnswering(answers: Record<string, string[] | string>): DnsResolver {
  return {
    query: <T extends DnsRecordType>(name: string, type: T): Promise<DnsAnswers[T]> => {
      const answer = answers[name] ?? 'ENOTFOUND';
      return typeof answer === 'string' ? Promise.reject(new DnsError(answer, name, type)) : Promise.resolve(answer as DnsAnswers[T]);
    },
    mailauth: () => Promise.resolve([]),
    stats: () => ({ queries: 0, cacheHits: 0, entries: 0 }),
    clearCache: () => undefined,
  };
}

const list = parsePolicy({
  dns: { servers: ['192.0.2.53'] },
  body: { dnsbl: { ipLists: [{ name: 'ZEN', zone: 'zen.test', codes: [{ name: 'SBL', address: '127.0.0.2', score: 4 }, { name: 'XBL', address: '127.0.0.4', score: 3 }] }], urlLists: [{ name: 'MULTI', zone: 'multi.test', codes: [{ name: 'PH', bit: 8, score: 5 }, { name: 'ABUSE', bit: 64, score: 4 }] }] } },
}).body.dnsbl;
const [zen] = list.ipLists;
const [multi] = list.urlLists;

describe('DNS list queries', () => {
  it('reverses IPv4 octets and IPv6 nibbles', () => {
    expect(reversedIp('45.33.12.7')).toBe('7.12.33.45');
    expect(reversedIp('2001:db8::1')).toBe(['1', ...Array(23).fill('0'), '8', 'b', 'd', '0', '1', '0', '0', '2'].join('.'));
  });

  it('maps return codes, exact and bitmask, and keeps unknown codes apart', async () => {
    const resolver = resolverAnswering({ '2.0.0.127.zen.test': ['127.0.0.2', '127.0.0.4', '127.255.255.254'], 'evil.test.multi.test': ['127.0.0.72'] });
    expect(await askList(resolver, zen, '2.0.0.127')).toEqual({ status: 'listed', codes: [zen.codes[0], zen.codes[1]], unknown: ['127.255.255.254'] });
    expect(await askList(resolver, multi, 'evil.test')).toEqual({ status: 'listed', codes: multi.codes, unknown: [] });
  });

  it('treats NXDOMAIN and answers outside 127/8 as not listed, failures as not answered', async () => {
    const resolver = resolverAnswering({ 'a.zen.test': ['192.0.2.1'], 'b.zen.test': 'ETIMEOUT', 'c.zen.test': 'ESERVFAIL' });
    expect(await askList(resolver, zen, 'nothing')).toEqual({ status: 'clean' });
    expect(await askList(resolver, zen, 'a')).toEqual({ status: 'clean' });
    expect(await askList(resolver, zen, 'b')).toEqual({ status: 'timeout', reason: 'ETIMEOUT' });
    expect(await askList(resolver, zen, 'c')).toEqual({ status: 'timeout', reason: 'ESERVFAIL' });
  });
});
