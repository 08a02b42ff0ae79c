import { parsePolicy, type PolicyInput } from '@moat/policy';
import { createResolver } from '@moat/auth';
import { compilePolicy, defaultChecks, MessageScanner, Pipeline, resolverOptions, type ScanSymbol } from '@moat/pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSuiteDns, type SuiteDns } from '../auth/support/dns-fixture.js';

// DNS reputation against a real knotd on 127.0.0.1 serving test list zones; one zone's servers never
// answer (the fixture's drop listener), as a dead list does.
const CLIENT = '45.33.12.7';
const RELAY = '81.2.69.160';
const DYNAMIC_RELAY = '81.2.69.161';
const CLEAN_CLIENT = '45.33.12.8';

const a = (name: string, address: string) => ({ name, type: 'A', data: address });
const records = [
  a('7.12.33.45.zen.lists.test', '127.0.0.2'),
  a('7.12.33.45.zen.lists.test', '127.0.0.4'),
  a('7.12.33.45.bl.spamcop.test', '127.0.0.2'),
  a('7.12.33.45.b.barracuda.test', '127.0.0.2'),
  a('160.69.2.81.zen.lists.test', '127.0.0.3'),
  a('161.69.2.81.zen.lists.test', '127.0.0.10'),
  a('7.12.33.45.dnsbl.sorbs.test', '127.0.0.6'),
  a('7.12.33.45.psbl.test', '127.255.255.254'),
  a('evil-shop.test.multi.surbl.test', '127.0.0.72'),
  a('xn--bcher-deals-thb.test.black.uribl.test', '127.0.0.2'),
  a('spammer.test.dbl.lists.test', '127.0.1.2'),
  // The zones of the lists every policy ships switched off, served by the same knotd.
  a('7.12.33.45.bl.spamcop.net', '127.0.0.2'),
  a('7.12.33.45.zen.spamhaus.org', '127.0.0.2'),
];

const code = (name: string, address: string, score: number, receivedScore?: number) => ({ name, address, score, ...(receivedScore === undefined ? {} : { receivedScore }) });
const listed = [code('LISTED', '127.0.0.2', 2)];
const policyInput = (budgetMs = 1500): PolicyInput => ({
  dns: { servers: [dns.server] },
  body: {
    dnsbl: {
      budgetMs,
      ipLists: [
        { name: 'ZEN', zone: 'zen.lists.test', codes: [code('SBL', '127.0.0.2', 4), code('CSS', '127.0.0.3', 2), code('XBL', '127.0.0.4', 3), code('PBL', '127.0.0.10', 1.5, 0)] },
        { name: 'SPAMCOP', zone: 'bl.spamcop.test', codes: listed },
        { name: 'BARRACUDA', zone: 'b.barracuda.test', weight: 0.5, codes: listed },
        { name: 'SORBS', zone: 'dnsbl.sorbs.test', codes: [code('SPAM', '127.0.0.6', 1)] },
        { name: 'PSBL', zone: 'psbl.test', codes: listed },
        { name: 'MAILSPIKE', zone: 'bl.mailspike.test', codes: listed },
        { name: 'UCEPROTECT', zone: 'dnsbl-1.uceprotect.test', codes: listed },
        { name: 'DEAD', zone: 'dead.lists.test', codes: listed },
      ],
      urlLists: [
        { name: 'SURBL', zone: 'multi.surbl.test', codes: [{ name: 'PH', bit: 8, score: 5 }, { name: 'ABUSE', bit: 64, score: 4 }, { name: 'MW', bit: 16, score: 5 }] },
        { name: 'URIBL', zone: 'black.uribl.test', codes: [code('BLACK', '127.0.0.2', 3)] },
      ],
      senderLists: [{ name: 'SPAMHAUS', zone: 'dbl.lists.test', codes: [code('SPAM', '127.0.1.2', 3)] }],
    },
  },
});

let dns: SuiteDns;
beforeAll(async () => {
  dns = await startSuiteDns({ records, timeouts: ['dead.lists.test'] });
});
afterAll(async () => {
  await dns?.stop();
});

async function scan(raw: string, envelope: { clientIp: string; mailFrom: string }, budgetMs?: number, resolver = dns.resolver()): Promise<ScanSymbol[]> {
  const scanner = new MessageScanner(compilePolicy(parsePolicy(policyInput(budgetMs)), 1), new Pipeline(defaultChecks(), { resolver }));
  const verdict = await scanner.scan(Buffer.from(raw), envelope);
  return verdict.symbols.filter((s) => /^(RBL|URIBL|DBL)_/.test(s.name));
}

const spam = [
  `Received: from relay.example (relay.example [${RELAY}]) by mx.example with ESMTP`,
  `Received: from home-pc (dyn [${DYNAMIC_RELAY}]) by relay.example`,
  'From: Deals <offers@spammer.test>',
  'Reply-To: <claims@spammer.test>',
  'Subject: offer',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<a href="https://www.google.com/url?q=https%3A%2F%2Fwww.evil-shop.test%2Fbuy">shop</a> <a href="http://bücher-deals.test/">books</a>',
  '',
].join('\r\n');

const ham = 'From: friend@clean.test\r\nSubject: hi\r\n\r\nSee https://www.clean.test/photos\r\n';

const named = (symbols: ScanSymbol[]) => symbols.map((s) => [s.name, s.score, s.detail]);

describe('DNS reputation on a real DNS server', () => {
  it('scores the client, the relays, URL domains (redirect target, IDN) and sender domains with each list\'s codes', async () => {
    const symbols = await scan(spam, { clientIp: CLIENT, mailFrom: 'bounce@spammer.test' });
    expect(named(symbols)).toEqual(
      expect.arrayContaining([
        ['RBL_ZEN_SBL', 4, CLIENT],
        ['RBL_ZEN_XBL', 3, CLIENT],
        ['RBL_ZEN_CSS_RECEIVED', 2, RELAY],
        ['RBL_ZEN_PBL_RECEIVED', 0, DYNAMIC_RELAY],
        ['RBL_SPAMCOP_LISTED', 2, CLIENT],
        ['RBL_BARRACUDA_LISTED', 1, CLIENT],
        ['RBL_SORBS_SPAM', 1, CLIENT],
        ['RBL_PSBL_UNKNOWN_CODE', 0, `${CLIENT} -> 127.255.255.254`],
        ['URIBL_SURBL_PH', 5, 'evil-shop.test'],
        ['URIBL_SURBL_ABUSE', 4, 'evil-shop.test'],
        ['URIBL_URIBL_BLACK', 3, 'xn--bcher-deals-thb.test'],
        ['DBL_SPAMHAUS_SPAM', 3, 'spammer.test'],
      ]),
    );
    expect(symbols.find((s) => s.name === 'URIBL_SURBL_MW')).toBeUndefined();
    expect(symbols.filter((s) => s.name.startsWith('RBL_MAILSPIKE') || s.name.startsWith('RBL_UCEPROTECT'))).toEqual([]);
  });

  it('gives a list that does not answer a TIMEOUT symbol scoring 0, and nothing for names not listed', async () => {
    const symbols = await scan(ham, { clientIp: CLEAN_CLIENT, mailFrom: 'friend@clean.test' });
    expect(named(symbols)).toEqual([['RBL_DEAD_TIMEOUT', 0, `${CLEAN_CLIENT} (ETIMEOUT)`]]);
  });

  it('runs every lookup at once under the overall budget', async () => {
    const resolver = dns.resolver();
    // The dead list is asked about the client and two relays, 500 ms each: one after the other would take 1.5 s.
    const started = Date.now();
    await scan(spam, { clientIp: CLIENT, mailFrom: 'bounce@spammer.test' }, 5000, resolver);
    expect(Date.now() - started).toBeLessThan(1400);
    // With the answers cached, a 100 ms budget cuts the dead list short and keeps the others.
    const symbols = await scan(spam, { clientIp: CLIENT, mailFrom: 'bounce@spammer.test' }, 100, resolver);
    expect(named(symbols).find(([name]) => name === 'RBL_DEAD_TIMEOUT')?.[2]).toContain('no answer within 100 ms');
    expect(symbols.map((s) => s.name)).toContain('RBL_ZEN_SBL');
  });

  it('skips private client addresses and asks nothing with the default policy, whose lists are switched off', async () => {
    expect(await scan(ham, { clientIp: '192.168.1.20', mailFrom: 'friend@clean.test' })).toEqual([]);
    const resolver = dns.resolver();
    // Stage 1's DNS checks (reverse DNS, SPF, DKIM) would ask this resolver too: exempt the client from them, so
    // that every query counted is one the body checks made.
    const policy = parsePolicy({ smtpChecks: { exemptNetworks: [CLIENT] } });
    const verdict = await new MessageScanner(compilePolicy(policy, 1), new Pipeline(defaultChecks(), { resolver })).scan(Buffer.from(spam), { clientIp: CLIENT });
    expect(verdict.symbols.filter((s) => /^(RBL|URIBL|DBL)_/.test(s.name))).toEqual([]);
    expect(resolver.stats().queries).toBe(0);
  });

  it('asks a default list once it is switched on with the resolver named in dns.servers, and only that one', async () => {
    const defaults = parsePolicy({}).body.dnsbl;
    const policy = parsePolicy({
      dns: { servers: [dns.server], timeoutMs: 500, tries: 1 },
      smtpChecks: { exemptNetworks: [CLIENT] },
      body: { dnsbl: { ipLists: defaults.ipLists.map((list) => ({ ...list, enabled: list.name === 'SPAMCOP' })) } },
    });
    // The node's own way of building its resolver from the policy's dns section.
    const resolver = createResolver(resolverOptions(policy.dns));
    const verdict = await new MessageScanner(compilePolicy(policy, 1), new Pipeline(defaultChecks(), { resolver })).scan(Buffer.from(spam), { clientIp: CLIENT, mailFrom: 'bounce@spammer.test' });
    // The client and the two relays, on the one list switched on: ZEN lists the client too but is off.
    expect(named(verdict.symbols.filter((s) => /^(RBL|URIBL|DBL)_/.test(s.name)))).toEqual([['RBL_SPAMCOP_LISTED', 2, CLIENT]]);
    expect(resolver.stats().queries).toBe(3);
  });
});
