import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemorySessionRepository } from '../repositories/memory-session.repository.js';
import { LockedOutError } from '../util/errors.js';
import { clientKey, LOCKOUT_MS, LoginThrottleService, MAX_CONCURRENT_CHECKS, MAX_GLOBAL_FAILURES_PER_MINUTE, MAX_QUEUED_CHECKS, slowdownMs } from './login-throttle.service.js';

const wrong = () => Promise.resolve(false);
const right = () => Promise.resolve(true);

describe('LoginThrottleService', () => {
  afterEach(() => vi.useRealTimers());

  it('locks an account out from one address after 5 failures, without a check, while other addresses still log in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const throttle = new LoginThrottleService(new MemorySessionRepository());
    for (let i = 1; i <= 5; i++) expect(await throttle.attempt('admin', '192.0.2.1', wrong)).toMatchObject({ ok: false, failures: i });
    const check = vi.fn(right);
    const refused = await throttle.attempt('admin', '192.0.2.1', check).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(LockedOutError);
    expect((refused as LockedOutError).retryAfterMs).toBeGreaterThan(LOCKOUT_MS - 1000);
    expect(check).not.toHaveBeenCalled();
    expect(await throttle.attempt('admin', '198.51.100.7', right)).toEqual({ ok: true });
    expect(await throttle.attempt('other', '192.0.2.1', right)).toEqual({ ok: true });
  });

  it('shares lockouts through the store, as CSM replicas share KV', async () => {
    const store = new MemorySessionRepository();
    const one = new LoginThrottleService(store);
    for (let i = 0; i < 5; i++) await one.attempt('admin', '192.0.2.1', wrong);
    await expect(new LoginThrottleService(store).attempt('admin', '192.0.2.1', right)).rejects.toBeInstanceOf(LockedOutError);
  });

  it('refuses a second attempt from an address while its first is being checked', async () => {
    const throttle = new LoginThrottleService(new MemorySessionRepository());
    let finish: ((ok: boolean) => void) | undefined;
    const first = throttle.attempt('admin', '192.0.2.1', () => new Promise<boolean>((resolve) => (finish = resolve)));
    await vi.waitFor(() => expect(finish).toBeDefined());
    await expect(throttle.attempt('admin', '192.0.2.1', right)).rejects.toThrow(/in progress/);
    finish?.(true);
    await expect(first).resolves.toEqual({ ok: true });
  });

  it('above the fleet-wide failure rate refuses addresses that failed before, and still checks clean ones', async () => {
    const throttle = new LoginThrottleService(new MemorySessionRepository());
    for (let i = 0; i < MAX_GLOBAL_FAILURES_PER_MINUTE; i++) await throttle.attempt(`user${i}`, `10.0.${i >> 8}.${i & 255}`, wrong);
    await expect(throttle.attempt('admin', '10.0.0.1', right)).rejects.toThrow(/too many failed logins on this CSM/);
    expect(await throttle.attempt('admin', '198.51.100.7', right)).toEqual({ ok: true });
  });

  it('runs at most a few checks at once and refuses beyond its queue', async () => {
    const throttle = new LoginThrottleService(new MemorySessionRepository());
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const slow = () =>
      new Promise<boolean>((resolve) => {
        peak = Math.max(peak, ++running);
        releases.push(() => (running--, resolve(true)));
      });
    const total = MAX_CONCURRENT_CHECKS + MAX_QUEUED_CHECKS;
    const attempts = Array.from({ length: total }, (_, i) => throttle.attempt('admin', `10.1.0.${i}`, slow));
    await vi.waitFor(() => expect(releases).toHaveLength(MAX_CONCURRENT_CHECKS));
    await expect(throttle.attempt('admin', '10.2.0.1', right)).rejects.toThrow(/too many logins at once/);
    while (releases.length) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    await vi.waitFor(async () => expect(await Promise.all(attempts)).toHaveLength(total));
    expect(peak).toBe(MAX_CONCURRENT_CHECKS);
  });

  it('slows an address down from its 5th failure, doubling up to 5 s', () => {
    expect([0, 4, 5, 6, 7, 10, 50].map(slowdownMs)).toEqual([0, 0, 250, 500, 1000, 5000, 5000]);
  });

  it('counts IPv4 (also IPv4-mapped) by address and IPv6 by /64', () => {
    expect(clientKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });
});
