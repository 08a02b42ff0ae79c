import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyValidationError } from '../index.js';

const rule = (pattern: string, extra: Record<string, unknown> = {}) => ({ body: { regex: { rules: [{ name: 'R', kind: 'block', on: 'subject', pattern, ...extra }] } } });

function problems(input: unknown): string[] {
  try {
    parsePolicy(input);
  } catch (err) {
    if (err instanceof PolicyValidationError) return err.problems;
    throw err;
  }
  return [];
}

describe('body policy section', () => {
  it('defaults to the well-known DNS lists switched off, bulk counting on, no filters, Korean ad marker off', () => {
    const body = parsePolicy({}).body;
    const lists = (key: 'ipLists' | 'urlLists' | 'senderLists') => body.dnsbl[key].map((l) => [l.name, l.zone, l.enabled]);
    expect(lists('ipLists')).toEqual([
      ['SPAMHAUS_ZEN', 'zen.spamhaus.org', false],
      ['SPAMCOP', 'bl.spamcop.net', false],
      ['BARRACUDA', 'b.barracudacentral.org', false],
    ]);
    expect(lists('urlLists')).toEqual([
      ['SURBL', 'multi.surbl.org', false],
      ['URIBL', 'multi.uribl.com', false],
    ]);
    expect(lists('senderLists')).toEqual([['SPAMHAUS_DBL', 'dbl.spamhaus.org', false]]);
    expect(body.dnsbl.ipLists[0].codes.find((c) => c.address === '127.0.0.10')).toMatchObject({ name: 'PBL', receivedScore: 0 });
    expect(body.dnsbl.urlLists[0].codes.map((c) => [c.name, c.bit])).toEqual([['PH', 8], ['MW', 16], ['ABUSE', 64], ['CR', 128]]);
    expect(body.dnsbl.redirectors).toContain('google.com');
    expect(body.bulk).toMatchObject({ enabled: true, windowSeconds: 3600, low: { count: 20 } });
    expect(body.regex.rules).toEqual([]);
    expect(body.koreanAd.mode).toBe('off');
  });

  it('refuses an invalid regex with its path', () => {
    expect(problems(rule('(unclosed'))).toEqual([expect.stringMatching(/^body\.regex\.rules\.0\.pattern: not a pattern the linear-time engine \(RE2\) accepts: missing \)/)]);
  });

  it('refuses what RE2 cannot run: backreferences and lookaround', () => {
    for (const pattern of ['(a)\\1', 'pay(?=pal)', '(?<!www\\.)paypal', 'x(?!y)']) {
      expect(problems(rule(pattern))).toEqual([expect.stringMatching(/^body\.regex\.rules\.0\.pattern: not a pattern the linear-time engine \(RE2\) accepts: .*backreferences and lookaround are not supported$/)]);
    }
  });

  it('accepts patterns that backtrack in a backtracking engine: RE2 runs them in linear time', () => {
    expect(problems(rule('(a+)+$'))).toEqual([]);
    expect(problems(rule('\\b(?:[a-z]*\\d+[a-z]*){2,}\\b'))).toEqual([]);
  });

  it('accepts ordinary filters, Korean included', () => {
    expect(problems(rule('\\bfree\\s+money\\b'))).toEqual([]);
    expect(problems(rule('무료\\s*상담'))).toEqual([]);
    expect(problems(rule('\\d+\\.\\d+'))).toEqual([]);
  });

  it('checks header rules, actions and names', () => {
    expect(problems(rule('x', { on: 'header' }))).toEqual(['body.regex.rules.0.header: required when on is "header"']);
    expect(problems(rule('x', { kind: 'allow', action: 'reject' }))).toEqual(['body.regex.rules.0.action: only block rules force an action']);
    expect(problems(rule('x', { name: 'bad name' }))[0]).toMatch(/^body\.regex\.rules\.0\.name: must be 1-40 upper-case/);
  });

  it('refuses a list switched on while no resolver is named, and accepts it once dns.servers or a route covers it', () => {
    const on = (key: 'ipLists' | 'senderLists') => {
      const dnsbl = parsePolicy({}).body.dnsbl;
      return { [key]: dnsbl[key].map((l, i) => ({ ...l, enabled: i === 0 })) };
    };
    const message = (name: string) => `list ${name} is on but no resolver is named: set dns.servers (your own resolver; public resolvers are refused by many lists' terms) or switch it off`;
    expect(problems({ body: { dnsbl: on('ipLists') } })).toEqual([`body.dnsbl.ipLists.0.enabled: ${message('SPAMHAUS_ZEN')}`]);
    expect(problems({ body: { dnsbl: on('senderLists') } })).toEqual([`body.dnsbl.senderLists.0.enabled: ${message('SPAMHAUS_DBL')}`]);
    expect(problems({ body: { dnsbl: { ipLists: [{ name: 'OWN', zone: 'bl.example', codes: [{ name: 'LISTED', address: '127.0.0.2', score: 1 }] }] } } })).toEqual([`body.dnsbl.ipLists.0.enabled: ${message('OWN')}`]);
    expect(problems({ dns: { servers: ['192.0.2.53'] }, body: { dnsbl: on('ipLists') } })).toEqual([]);
    expect(problems({ dns: { routes: { 'spamhaus.org.': ['192.0.2.53'] } }, body: { dnsbl: on('ipLists') } })).toEqual([]);
    expect(problems({ dns: { routes: { 'haus.org': ['192.0.2.53'] } }, body: { dnsbl: on('ipLists') } })).toEqual([`body.dnsbl.ipLists.0.enabled: ${message('SPAMHAUS_ZEN')}`]);
  });

  it('validates DNS lists: codes give an address or a bit, names are unique, zones are domains', () => {
    const list = (name: string, codes: unknown[]) => ({ name, zone: 'zen.example', enabled: false, codes });
    expect(problems({ body: { dnsbl: { ipLists: [list('ZEN', [{ name: 'SBL', score: 1 }])] } } })).toEqual(['body.dnsbl.ipLists.0.codes.0: give exactly one of address or bit']);
    const ok = [{ name: 'SBL', address: '127.0.0.2', score: 4 }];
    expect(problems({ body: { dnsbl: { ipLists: [list('ZEN', ok), list('ZEN', ok)] } } })).toEqual(['body.dnsbl.ipLists.1.name: duplicate list name ZEN']);
    expect(problems({ body: { dnsbl: { urlLists: [{ name: 'X', zone: 'not a domain', codes: ok }] } } })).toEqual(['body.dnsbl.urlLists.0.zone: must be a domain name']);
  });

  it('stores brand domains in A-label form', () => {
    expect(parsePolicy({ body: { phishing: { brands: ['네이버.com', 'PayPal.com'] } } }).body.phishing.brands).toEqual(['xn--950bt9s8xi.com', 'paypal.com']);
  });
});
