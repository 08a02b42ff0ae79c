import { createResolver, DnsError, type DnsResolver } from '@moat/auth';
import { resolverOptions } from '@moat/pipeline';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackhole, startKnot, zoneTxt, type Blackhole, type RunningKnot } from './support/knot.js';

// Issue 3: SPF, DKIM, DMARC and ARC look up DNS through a resolver the node controls, configured by the
// policy's `dns` section (servers, per-domain routes, timeouts, tries, cache). Real knotd servers and a
// server that never answers.

/** The resolver a node builds from a policy with this `dns` section. */
const fromPolicy = (dns: PolicyInput['dns']): DnsResolver => createResolver(resolverOptions(parsePolicy({ dns }).dns));

const failureOf = (lookup: Promise<unknown>): Promise<string> =>
  lookup.then(
    () => 'answered',
    (error: unknown) => (error instanceof DnsError ? error.code : String(error)),
  );

describe('the policy resolver', () => {
  let publicDns: RunningKnot;
  let internalDns: RunningKnot;
  let dead: Blackhole;

  beforeAll(async () => {
    [publicDns, internalDns, dead] = await Promise.all([
      startKnot({ records: [{ name: 'sender.test', type: 'TXT', data: zoneTxt(['v=spf1 -all']) }, { name: 'mx.corp.test', type: 'A', data: '192.0.2.1' }] }),
      startKnot({ records: [{ name: 'mx.corp.test', type: 'A', data: '10.0.0.25' }] }),
      startBlackhole(),
    ]);
  });

  afterAll(async () => {
    await Promise.all([publicDns?.stop(), internalDns?.stop(), dead?.stop()]);
  });

  it('asks the configured servers in turn: one that never answers costs its timeout, the next one answers', async () => {
    const resolver = fromPolicy({ servers: [dead.server, publicDns.server], timeoutMs: 200, tries: 1 });
    const started = performance.now();
    expect(await resolver.query('sender.test', 'TXT')).toEqual([['v=spf1 -all']]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('gives up with ETIMEOUT after tries rounds of timeoutMs, and asks again next time', async () => {
    const resolver = fromPolicy({ servers: [dead.server], timeoutMs: 100, tries: 2, cacheTtlSeconds: 300 });
    const started = performance.now();
    expect(await failureOf(resolver.query('sender.test', 'TXT'))).toBe('ETIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(await failureOf(resolver.query('sender.test', 'TXT'))).toBe('ETIMEOUT');
    expect(resolver.stats()).toMatchObject({ queries: 2, cacheHits: 0 });
  });

  it('sends the names of a routed domain to its own servers (split horizon), the most specific suffix first', async () => {
    const resolver = fromPolicy({ servers: [publicDns.server], routes: { 'corp.test': [internalDns.server], 'other.corp.test': [dead.server] }, timeoutMs: 500, tries: 1 });
    expect(await resolver.query('mx.corp.test', 'A')).toEqual(['10.0.0.25']);
    expect(await failureOf(resolver.query('mx.other.corp.test', 'A'))).toBe('ETIMEOUT');
    expect(await resolver.query('sender.test', 'TXT')).toEqual([['v=spf1 -all']]);
  });

  it('answers from its cache within cacheTtlSeconds, and keeps "no such name" for negativeTtlSeconds only', async () => {
    const resolver = fromPolicy({ servers: [publicDns.server], timeoutMs: 500, tries: 1, cacheTtlSeconds: 300, negativeTtlSeconds: 1 });
    await resolver.query('sender.test', 'TXT');
    await resolver.query('SENDER.test.', 'TXT');
    expect(await failureOf(resolver.query('nowhere.test', 'A'))).toBe('ENOTFOUND');
    expect(await failureOf(resolver.query('nowhere.test', 'A'))).toBe('ENOTFOUND');
    expect(resolver.stats()).toEqual({ queries: 2, cacheHits: 2, entries: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await failureOf(resolver.query('nowhere.test', 'A'))).toBe('ENOTFOUND');
    expect(resolver.stats().queries).toBe(3);
  });

  it('keeps answering cached names while its servers are down', async () => {
    const lonely = await startKnot({ records: [{ name: '_dmarc.sender.test', type: 'TXT', data: zoneTxt(['v=DMARC1; p=reject']) }] });
    const resolver = fromPolicy({ servers: [lonely.server], timeoutMs: 200, tries: 1 });
    expect(await resolver.query('_dmarc.sender.test', 'TXT')).toEqual([['v=DMARC1; p=reject']]);
    await lonely.stop();
    expect(await resolver.query('_dmarc.sender.test', 'TXT')).toEqual([['v=DMARC1; p=reject']]);
    expect(await failureOf(resolver.query('sender.test', 'TXT'))).not.toBe('answered');
  });
});
