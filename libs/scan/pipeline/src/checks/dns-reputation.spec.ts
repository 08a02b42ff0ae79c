import type { DnsResolver } from '@moat/auth';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { MessageScanner } from '../scan-message.js';
import { zoneResolver } from '../testing/zone-resolver.js';
import { defaultChecks } from './index.js';

const CLIENT = '45.33.12.7';
const zone = {
  '7.12.33.45.zen.spamhaus.org A': ['127.0.0.2'],
  '7.12.33.45.bl.spamcop.net A': ['127.0.0.2'],
  'spammer.test.dbl.spamhaus.org A': ['127.0.1.2'],
};
const RAW = 'From: Deals <offers@spammer.test>\r\nSubject: offer\r\n\r\nSee https://www.spammer.test/buy\r\n';

/** Scans RAW from the listed client, recording every name the check asks about. */
async function scan(input: PolicyInput): Promise<{ asked: string[]; symbols: string[] }> {
  const asked: string[] = [];
  const zoned = zoneResolver(zone);
  const resolver: DnsResolver = { ...zoned, query: (name, type) => (asked.push(name), zoned.query(name, type)) };
  const scanner = new MessageScanner(compilePolicy(parsePolicy(input), 1), new Pipeline(defaultChecks(), { resolver }));
  const verdict = await scanner.scan(Buffer.from(RAW), { clientIp: CLIENT, mailFrom: 'bounce@spammer.test' });
  return { asked: asked.filter((name) => /\.(?:spamhaus|spamcop|barracudacentral|surbl|uribl)\./.test(name)), symbols: verdict.symbols.map((s) => s.name).filter((name) => /^(?:RBL|URIBL|DBL)_/.test(name)) };
}

describe('DNS reputation and switched-off lists', () => {
  it('asks no list with the default policy: the well-known lists ship switched off', async () => {
    expect(await scan({})).toEqual({ asked: [], symbols: [] });
  });

  it('asks only the lists switched on', async () => {
    const { ipLists } = parsePolicy({}).body.dnsbl;
    const spamcopOnly = ipLists.map((list) => ({ ...list, enabled: list.name === 'SPAMCOP' }));
    expect(await scan({ dns: { servers: ['192.0.2.53'] }, body: { dnsbl: { ipLists: spamcopOnly } } })).toEqual({ asked: ['7.12.33.45.bl.spamcop.net'], symbols: ['RBL_SPAMCOP_LISTED'] });
  });
});
