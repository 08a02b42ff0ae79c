import { MemoryFleetState } from '@moat/fleet-state';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { defaultChecks } from './index.js';

const domains = [
  { name: 'grey.test', downstream: { host: '127.0.0.1' }, smtpChecks: { greylist: { enabled: true } } },
  { name: 'open.test', downstream: { host: '127.0.0.1' } },
];

function setUp(extra: Partial<PolicyInput['smtpChecks']> = {}) {
  const policy = compilePolicy(parsePolicy({ domains, smtpChecks: { greylist: { delaySeconds: 60 }, ...extra } }), 1);
  const pipeline = new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState() });
  return async (clientIp: string, from: string, to: string, authenticatedUser?: string) => {
    const session = pipeline.session(policy, { clientIp, authenticatedUser });
    await session.connect();
    await session.mailFrom(from);
    const result = await session.rcptTo(to);
    return { result, symbols: session.symbols().map((s) => s.name) };
  };
}

describe('greylisting', () => {
  afterEach(() => vi.useRealTimers());

  it('defers a first attempt, defers a retry too soon, passes a retry after the delay from the same /24, then auto-allows', async () => {
    vi.useFakeTimers({ now: 1_000_000_000_000 });
    const attempt = setUp();
    const first = await attempt('198.51.100.10', 'news@sender.test', 'alice@grey.test');
    expect(first.result).toMatchObject({ ok: false, reply: { code: 451, message: '4.7.1 greylisted, please try again later' }, verdict: { symbols: [{ name: 'GREYLIST_DEFER' }] } });
    vi.advanceTimersByTime(30_000);
    expect((await attempt('198.51.100.10', 'news@sender.test', 'alice@grey.test')).result).toMatchObject({ ok: false, reply: { code: 451 } });
    vi.advanceTimersByTime(31_000);
    const retried = await attempt('198.51.100.77', 'news@sender.test', 'alice@grey.test');
    expect(retried.result).toEqual({ ok: true });
    expect(retried.symbols).toContain('GREYLIST_PASS');
    const other = await attempt('198.51.100.12', 'other@sender.test', 'bob@grey.test');
    expect(other.result).toEqual({ ok: true });
    expect(other.symbols).toContain('GREYLIST_AUTO_ALLOWED');
  });

  it('starts over when the retry comes after the retry window', async () => {
    vi.useFakeTimers({ now: 1_000_000_000_000 });
    const attempt = setUp({ greylist: { delaySeconds: 60, retryWindowSeconds: 3600 } });
    await attempt('198.51.100.10', 'a@sender.test', 'alice@grey.test');
    vi.advanceTimersByTime(2 * 3600_000);
    expect((await attempt('198.51.100.10', 'a@sender.test', 'alice@grey.test')).result).toMatchObject({ ok: false, verdict: { symbols: [{ detail: 'retry came after the retry window; starting over' }] } });
  });

  it('greylists a network again once its auto-allow period has run out without use', async () => {
    vi.useFakeTimers({ now: 1_000_000_000_000 });
    const attempt = setUp({ greylist: { delaySeconds: 60, autoAllowSeconds: 3600 } });
    await attempt('198.51.100.10', 'a@sender.test', 'alice@grey.test');
    vi.advanceTimersByTime(61_000);
    expect((await attempt('198.51.100.10', 'a@sender.test', 'alice@grey.test')).symbols).toContain('GREYLIST_PASS');
    vi.advanceTimersByTime(30 * 60_000);
    expect((await attempt('198.51.100.10', 'b@sender.test', 'bob@grey.test')).symbols).toContain('GREYLIST_AUTO_ALLOWED');
    vi.advanceTimersByTime(2 * 3600_000);
    expect((await attempt('198.51.100.10', 'c@sender.test', 'bob@grey.test')).result).toMatchObject({ ok: false, reply: { code: 451 } });
  });

  it('leaves alone other domains, loopback, authenticated clients, exempt IPs and exempt senders', async () => {
    const attempt = setUp({ greylist: { exemptIps: ['203.0.113.0/24'], exemptSenders: ['.trusted.test'] } });
    expect((await attempt('198.51.100.10', 'a@sender.test', 'alice@grey.test', 'alice')).result).toEqual({ ok: true });
    expect((await attempt('198.51.100.10', 'a@sender.test', 'alice@open.test')).result).toEqual({ ok: true });
    expect((await attempt('127.0.0.1', 'a@sender.test', 'alice@grey.test')).result).toEqual({ ok: true });
    expect((await attempt('203.0.113.5', 'a@sender.test', 'alice@grey.test')).result).toEqual({ ok: true });
    expect((await attempt('198.51.100.10', 'a@mx.trusted.test', 'alice@grey.test')).result).toEqual({ ok: true });
  });

  it('lets the recipient pass when the fleet state is unreachable', async () => {
    const policy = compilePolicy(parsePolicy({ domains }), 1);
    const broken = new MemoryFleetState();
    broken.greylist.get = () => Promise.reject(new Error('fleet state unavailable: no NATS connection'));
    const session = new Pipeline(defaultChecks(), { fleetState: broken }).session(policy, { clientIp: '198.51.100.10' });
    await session.mailFrom('a@sender.test');
    expect(await session.rcptTo('alice@grey.test')).toEqual({ ok: true });
    expect(session.symbols()).toMatchObject([{ name: 'GREYLIST_UNAVAILABLE', detail: 'fleet state unavailable: no NATS connection' }]);
  });
});
