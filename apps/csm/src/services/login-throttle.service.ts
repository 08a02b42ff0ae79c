import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionRepository, type CounterRecord } from '../repositories/session.repository.js';
import { LockedOutError } from '../util/errors.js';

/** Failed logins for one account from one address that lock that pair out. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 5 * 60 * 1000;
/** Failures are forgotten this long after the last one. */
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** From this many failures from one address (any account), each further attempt from it waits before its check. */
export const SLOWDOWN_AFTER = 5;
export const MAX_SLOWDOWN_MS = 5000;
/** Failed logins per minute over all replicas above which addresses that already failed are refused unchecked. */
export const MAX_GLOBAL_FAILURES_PER_MINUTE = 60;
/** Password checks (scrypt on the libuv pool, which file and DNS work share) running at once in this process. */
export const MAX_CONCURRENT_CHECKS = 2;
/** Checks waiting for a slot; beyond that a login is refused at once. */
export const MAX_QUEUED_CHECKS = 32;

export type LoginOutcome = { ok: true } | { ok: false; failures: number; lockedUntilMs: number };

/**
 * Login throttling that slows an attacker without locking the owner out from elsewhere:
 * - per (account, client address) pair: 5 failures lock that pair (only) for 5 minutes;
 * - per client address (IPv6: its /64): from the 5th failure, each attempt waits 250 ms, doubling up to 5 s, and an
 *   address has one check in flight at a time (per replica; more are refused at once);
 * - fleet-wide: above 60 failures a minute, addresses with failures of their own are refused without a check,
 *   while an address with a clean record (the owner elsewhere) is still checked;
 * - at most 2 password checks run at once per replica, 32 wait, the rest are refused: a flood never queues
 *   scrypt work in front of other routes.
 * Counters live in the SessionRepository, so every replica counts the same failures. Refusals are 429 with
 * Retry-After and cost no password check.
 */
@Injectable()
export class LoginThrottleService {
  private readonly inFlight = new Set<string>();
  private readonly checks = new CheckLimiter(MAX_CONCURRENT_CHECKS, MAX_QUEUED_CHECKS);

  constructor(private readonly store: SessionRepository) {}

  /** Runs CHECK (the password verification) unless USERNAME from ADDRESS is throttled now, and counts a failure. */
  async attempt(username: string, address: string, check: () => Promise<boolean>): Promise<LoginOutcome> {
    const client = clientKey(address);
    if (this.inFlight.has(client)) throw new LockedOutError('another login from this address is in progress; try again in a moment', 1000);
    this.inFlight.add(client);
    try {
      const now = Date.now();
      const keys = { pair: hashKey('pair', `${username}\n${client}`), address: hashKey('addr', client), global: globalKey(now) };
      const [pair, byAddress, global] = await Promise.all([this.store.getCounter(keys.pair), this.store.getCounter(keys.address), this.store.getCounter(keys.global)]);
      if (pair && pair.lockedUntilMs > now) {
        throw new LockedOutError(`too many failed logins for ${username} from this address; try again after ${new Date(pair.lockedUntilMs).toISOString()}`, pair.lockedUntilMs - now);
      }
      if (byAddress && global && global.count >= MAX_GLOBAL_FAILURES_PER_MINUTE) {
        throw new LockedOutError('too many failed logins on this CSM right now; try again in a minute', global.expiresAtMs - now);
      }
      const delay = slowdownMs(byAddress?.count ?? 0);
      if (delay > 0) await sleep(delay);
      if (await this.checks.run(check)) {
        if (pair) await this.store.deleteCounter(keys.pair);
        return { ok: true };
      }
      return await this.countFailure(keys);
    } finally {
      this.inFlight.delete(client);
    }
  }

  private async countFailure(keys: { pair: string; address: string; global: string }): Promise<LoginOutcome> {
    const now = Date.now();
    const [pair] = await Promise.all([
      this.store.updateCounter(keys.pair, (current) => {
        // A lockout that has run out starts the count again.
        const count = (current && !current.lockedUntilMs ? current.count : 0) + 1;
        const lockedUntilMs = count >= MAX_FAILED_LOGINS ? now + LOCKOUT_MS : 0;
        return { count, lockedUntilMs, expiresAtMs: Math.max(now + FAILURE_WINDOW_MS, lockedUntilMs) };
      }),
      this.store.updateCounter(keys.address, (current) => increment(current, now + FAILURE_WINDOW_MS)),
      this.store.updateCounter(keys.global, (current) => increment(current, (Math.floor(now / 60_000) + 1) * 60_000)),
    ]);
    return { ok: false, failures: pair.count, lockedUntilMs: pair.lockedUntilMs };
  }
}

/** Bounds how many checks run at once; a check beyond the queue is refused rather than queued. */
class CheckLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly slots: number,
    private readonly queue: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) {
      if (this.waiting.length >= this.queue) throw new LockedOutError('too many logins at once; try again in a moment', 1000);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

function increment(current: CounterRecord | undefined, expiresAtMs: number): CounterRecord {
  return { count: (current?.count ?? 0) + 1, lockedUntilMs: 0, expiresAtMs };
}

/** 0 below SLOWDOWN_AFTER failures, then 250 ms doubling per failure up to MAX_SLOWDOWN_MS. */
export function slowdownMs(failures: number): number {
  if (failures < SLOWDOWN_AFTER) return 0;
  return Math.min(250 * 2 ** Math.min(failures - SLOWDOWN_AFTER, 5), MAX_SLOWDOWN_MS);
}

/** The address a client is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, as one host gets a /64. */
export function clientKey(address: string): string {
  const v4 = address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
  if (!isIPv6(v4)) return v4;
  const [head = '', tail = ''] = v4.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = v4.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** KV keys allow few characters; names and addresses are hashed into them. */
function hashKey(kind: string, value: string): string {
  return `${kind}.${createHash('sha256').update(value).digest('hex')}`;
}

function globalKey(now: number): string {
  return `global.${Math.floor(now / 60_000)}`;
}
