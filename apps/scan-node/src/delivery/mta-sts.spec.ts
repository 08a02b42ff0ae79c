import { DnsError, type DnsAnswers, type DnsRecordType } from '@moat/auth';
import { describe, expect, it } from 'vitest';
import { MtaStsPolicies, mxMatches, parseStsPolicy, stsRecordId, type PolicyFetcher } from './mta-sts.js';

const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mail.remote.test\r\nmx: *.backup.remote.test\r\nmax_age: 86400\r\n';

describe('MTA-STS records and policies (RFC 8461)', () => {
  it('read the id of the one STSv1 TXT record', () => {
    expect(stsRecordId([['v=STSv1; id=20261208T1;']])).toBe('20261208T1');
    expect(stsRecordId([['v=STSv1 ;', ' id=abc']])).toBe('abc');
    expect(stsRecordId([['v=spf1 -all'], ['v=STSv1; id=x1']])).toBe('x1');
    expect(stsRecordId([['v=STSv1; id=a'], ['v=STSv1; id=b']])).toBeUndefined();
    expect(stsRecordId([['v=STSv1; id=not-alnum']])).toBeUndefined();
    expect(stsRecordId([])).toBeUndefined();
  });

  it('parse a policy body and say what is wrong with a bad one', () => {
    expect(parseStsPolicy(POLICY, 'a', 1000)).toEqual({ id: 'a', mode: 'enforce', mx: ['mail.remote.test', '*.backup.remote.test'], maxAgeSeconds: 86400, expiresAtMs: 1000 + 86_400_000 });
    expect(parseStsPolicy('version: STSv1\nmode: none\nmax_age: 9999999999\n', 'a', 0)).toMatchObject({ mode: 'none', mx: [], maxAgeSeconds: 31_557_600 });
    expect(parseStsPolicy('version: STSv2\nmode: enforce\nmx: a\nmax_age: 1', 'a', 0)).toContain('version');
    expect(parseStsPolicy('version: STSv1\nmode: strict\nmx: a\nmax_age: 1', 'a', 0)).toContain('mode');
    expect(parseStsPolicy('version: STSv1\nmode: enforce\nmax_age: 1', 'a', 0)).toContain('mx');
    expect(parseStsPolicy('version: STSv1\nmode: enforce\nmx: a\nmax_age: soon', 'a', 0)).toContain('max_age');
    expect(parseStsPolicy('<html>not a policy</html>', 'a', 0)).toEqual(expect.any(String));
  });

  it('match MX patterns: a wildcard is one leftmost label', () => {
    expect(mxMatches('mail.remote.test', 'MAIL.remote.test.')).toBe(true);
    expect(mxMatches('*.remote.test', 'mx1.remote.test')).toBe(true);
    expect(mxMatches('*.remote.test', 'remote.test')).toBe(false);
    expect(mxMatches('*.remote.test', 'a.mx1.remote.test')).toBe(false);
    expect(mxMatches('mail.remote.test', 'mail.remote.test.evil.test')).toBe(false);
  });
});

describe('the node\'s MTA-STS policies', () => {
  function setup(txt: () => string[][] | Error) {
    let now = 1_000_000;
    const fetched: string[] = [];
    let body = POLICY;
    let fail = false;
    const problems: string[] = [];
    const resolver = {
      query: (async <T extends DnsRecordType>(name: string): Promise<DnsAnswers[T]> => {
        const answer = txt();
        if (answer instanceof Error) throw answer;
        expect(name).toBe('_mta-sts.remote.test');
        return answer as DnsAnswers[T];
      }) as <T extends DnsRecordType>(name: string, type: T) => Promise<DnsAnswers[T]>,
    };
    const fetcher: PolicyFetcher = async (domain, port) => {
      fetched.push(`${domain}:${port}`);
      if (fail) throw new Error('connection refused');
      return body;
    };
    const policies = new MtaStsPolicies(resolver, (_d, problem) => problems.push(problem), fetcher, () => now);
    return {
      policies,
      fetched,
      problems,
      advance: (ms: number) => (now += ms),
      setBody: (text: string) => (body = text),
      setFail: (value: boolean) => (fail = value),
    };
  }

  it('fetch once per record id, again when the id changes or the policy expired', async () => {
    let id = 'one';
    const s = setup(() => [[`v=STSv1; id=${id}`]]);
    expect(await s.policies.policyFor('remote.test', 443)).toMatchObject({ id: 'one', mode: 'enforce' });
    expect(await s.policies.policyFor('remote.test', 443)).toMatchObject({ id: 'one' });
    expect(s.fetched).toEqual(['remote.test:443']);
    id = 'two';
    expect(await s.policies.policyFor('remote.test', 443)).toMatchObject({ id: 'two' });
    s.advance(86_400_001);
    expect(await s.policies.policyFor('remote.test', 443)).toMatchObject({ id: 'two' });
    expect(s.fetched).toHaveLength(3);
  });

  it('keep a cached policy in force while the record is gone or the fetch fails, until it expires', async () => {
    let txt: string[][] | Error = [['v=STSv1; id=one']];
    const s = setup(() => txt);
    await s.policies.policyFor('remote.test', 443);
    txt = new DnsError('ENOTFOUND', '_mta-sts.remote.test', 'TXT');
    expect(await s.policies.policyFor('remote.test', 443)).toMatchObject({ id: 'one' });
    txt = [['v=STSv1; id=two']];
    s.setFail(true);
    expect(await s.policies.policyFor('remote.test', 443)).toMatchObject({ id: 'one' });
    expect(s.problems.at(-1)).toContain('connection refused');
    s.advance(86_400_001);
    expect(await s.policies.policyFor('remote.test', 443)).toBeUndefined();
  });

  it('have no policy without a record or with a body that is not one', async () => {
    const none = setup(() => new DnsError('ENODATA', '_mta-sts.remote.test', 'TXT'));
    expect(await none.policies.policyFor('remote.test', 443)).toBeUndefined();
    expect(none.fetched).toEqual([]);
    expect(none.problems).toEqual([]);
    const bad = setup(() => [['v=STSv1; id=one']]);
    bad.setBody('version: STSv1\nmode: enforce\n');
    expect(await bad.policies.policyFor('remote.test', 443)).toBeUndefined();
    expect(bad.problems.at(-1)).toContain('max_age');
  });
});
