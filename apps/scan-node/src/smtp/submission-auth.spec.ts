import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '@moat/credentials';
import { authBlockKey, parseAuthBlock } from '@moat/bus';
import { FleetStateUnavailable, MemoryFleetState, type SharedRecords, type WindowCounters } from '@moat/fleet-state';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../log.js';
import { PolicyStore } from '../policy/policy-store.js';
import { AuthBlockList } from './auth-blocks.js';
import type { DirectoryBinder } from './directory-bind.js';
import type { CountryLookup } from './geo-countries.js';
import { SubmissionAuth } from './submission-auth.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function storeWithAlice(dir: string, password: string, outbound: Record<string, unknown> = {}): Promise<PolicyStore> {
  const store = await PolicyStore.open(dir);
  const policy = {
    domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }],
    outbound: { accounts: [{ address: 'alice@example.test', canSend: true, passwordHash: await hashPassword(password) }], authFailures: { perIp: 2, windowSeconds: 600 }, ...outbound },
  };
  const json = JSON.stringify(policy);
  await store.apply({ version: 1, json, sha256: createHash('sha256').update(json).digest('hex'), createdAtMs: 0, author: 'spec', comment: '' });
  return store;
}

/** Documentation addresses standing for addresses of other countries. */
const COUNTRIES: CountryLookup = { country: (ip) => Promise.resolve({ '203.0.113.5': 'FR', '203.0.113.6': 'DE', '2001:db8::7': 'NL' }[ip] ?? '') };

/** A directory where only uid=alice binds, with its own password; unused by hash accounts. */
const DIRECTORY: DirectoryBinder = { verify: (_directory, dn, password) => Promise.resolve(dn === 'uid=alice,dc=example,dc=test' && password === 'directory-secret-1') };

function newAuth(store: PolicyStore, fleet: MemoryFleetState, directory: DirectoryBinder = DIRECTORY): SubmissionAuth {
  return new SubmissionAuth(store, fleet.counters, new AuthBlockList(fleet.authBlocks), COUNTRIES, quiet, directory);
}

/** Alice as the directory sync writes her: a bind DN instead of a hash, and where to bind. */
const DIRECTORY_ALICE = { accounts: [{ address: 'alice@example.test', canSend: true, bindDn: 'uid=alice,dc=example,dc=test' }], directory: { url: 'ldap://127.0.0.1:3890' } };

describe('SubmissionAuth', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'submission-auth-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the password whose hash the policy holds, for the address in any case', async () => {
    const auth = newAuth(await storeWithAlice(dir, 'right-horse-battery'), new MemoryFleetState());
    expect(await auth.authenticate('192.0.2.1', 'Alice@Example.test', 'right-horse-battery')).toEqual({ ok: true, user: 'alice@example.test' });
    expect(await auth.authenticate('192.0.2.1', 'alice@example.test', 'wrong')).toMatchObject({ ok: false, code: 535, message: '5.7.8 Error: authentication credentials invalid' });
    expect(await auth.authenticate('192.0.2.2', 'nobody@example.test', 'right-horse-battery')).toMatchObject({ ok: false, code: 535 });
  });

  it('blocks an address after perIp failures, fleet-wide (another node sharing the counters), not other addresses', async () => {
    const fleet = new MemoryFleetState();
    const store = await storeWithAlice(dir, 'right-horse-battery');
    const nodeA = newAuth(store, fleet);
    const nodeB = newAuth(store, fleet);
    await nodeA.authenticate('192.0.2.7', 'alice@example.test', 'guess-1');
    await nodeA.authenticate('192.0.2.7', 'alice@example.test', 'guess-2');
    expect(await nodeB.authenticate('192.0.2.7', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: false, code: 454 });
    expect(await nodeB.authenticate('192.0.2.8', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: true });
  });

  it('records the block fleet-wide (first and last seen, expiry, failures, blocks, auto, the rule); a removal (epoch bump) unblocks and forgets the failures', async () => {
    const fleet = new MemoryFleetState();
    const auth = newAuth(await storeWithAlice(dir, 'right-horse-battery'), fleet);
    const before = Date.now();
    await auth.authenticate('2001:db8::7', 'alice@example.test', 'guess-1');
    await auth.authenticate('2001:db8::7', 'alice@example.test', 'guess-2');
    const record = await fleet.authBlocks.get(authBlockKey('2001:db8::7'));
    const block = parseAuthBlock(record?.value ?? '');
    expect(block).toMatchObject({ ip: '2001:db8::7', failures: 2, blocks: 1, source: 'auto', country: 'NL', rule: 'outbound.authFailures: 2 failures in 600 s', epoch: 0 });
    expect(block?.firstSeenMs).toBeGreaterThanOrEqual(before);
    expect(block?.expiresAtMs).toBeGreaterThanOrEqual(before + 900_000);
    // What the CSM does on DELETE /api/auth-blocks/:ip.
    const now = Date.now();
    expect(await fleet.authBlocks.update(authBlockKey('2001:db8::7'), JSON.stringify({ ...block, expiresAtMs: now, epoch: 1 }), record?.revision ?? 0)).toBe(true);
    expect(await auth.authenticate('2001:db8::7', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: true });
    // One failure in the new epoch does not block again; the second does, and counts a second block.
    await auth.authenticate('2001:db8::7', 'alice@example.test', 'guess-3');
    expect(await auth.authenticate('2001:db8::7', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: true });
    await auth.authenticate('2001:db8::7', 'alice@example.test', 'guess-4');
    expect(await auth.authenticate('2001:db8::7', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: false, code: 454 });
    expect(parseAuthBlock((await fleet.authBlocks.get(authBlockKey('2001:db8::7')))?.value ?? '')).toMatchObject({ failures: 4, blocks: 2, epoch: 1 });
  }, 30_000);

  it('never locks the account: after many failures for alice from many addresses, alice from her own address authenticates', async () => {
    const auth = newAuth(await storeWithAlice(dir, 'right-horse-battery'), new MemoryFleetState());
    for (let i = 0; i < 6; i++) await auth.authenticate(`198.51.100.${i}`, 'alice@example.test', `guess-${i}`);
    expect(await auth.authenticate('192.0.2.50', 'alice@example.test', 'right-horse-battery')).toEqual({ ok: true, user: 'alice@example.test' });
  }, 30_000);

  it('with outbound.authCountries, refuses AUTH from another country (535 5.7.1) before the password, but not from trustedNetworks or an address without a country', async () => {
    const store = await storeWithAlice(dir, 'right-horse-battery', { authCountries: ['de'], trustedNetworks: ['203.0.113.5/32'] });
    const auth = newAuth(store, new MemoryFleetState());
    expect(await auth.authenticate('2001:db8::7', 'alice@example.test', 'right-horse-battery')).toEqual({ ok: false, code: 535, message: '5.7.1 Error: authentication is not permitted from your country' });
    expect(await auth.authenticate('203.0.113.6', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: true });
    expect(await auth.authenticate('203.0.113.5', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: true });
    expect(await auth.authenticate('10.0.0.9', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: true });
  }, 30_000);

  it('remembers a verified password, so scrypt runs once for many messages', async () => {
    const store = await storeWithAlice(dir, 'right-horse-battery');
    const auth = newAuth(store, new MemoryFleetState());
    await auth.authenticate('192.0.2.1', 'alice@example.test', 'right-horse-battery');
    const started = performance.now();
    for (let i = 0; i < 50; i++) expect((await auth.authenticate('192.0.2.1', 'alice@example.test', 'right-horse-battery')).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('still authenticates, uncounted, while the fleet state is unreachable', async () => {
    const down: WindowCounters = { hit: vi.fn(() => Promise.reject(new FleetStateUnavailable('NATS down'))) };
    const unreachable = () => Promise.reject(new FleetStateUnavailable('NATS down'));
    const records: SharedRecords = { get: vi.fn(unreachable), create: vi.fn(unreachable), update: vi.fn(unreachable) };
    const auth = new SubmissionAuth(await storeWithAlice(dir, 'right-horse-battery'), down, new AuthBlockList(records), COUNTRIES, quiet, DIRECTORY);
    expect((await auth.authenticate('192.0.2.1', 'alice@example.test', 'right-horse-battery')).ok).toBe(true);
    expect((await auth.authenticate('192.0.2.1', 'alice@example.test', 'bad')).ok).toBe(false);
  });

  it('checks a directory account by a bind as its DN, counting failures as for a hash', async () => {
    const fleet = new MemoryFleetState();
    const verify = vi.fn(DIRECTORY.verify);
    const auth = newAuth(await storeWithAlice(dir, 'right-horse-battery', DIRECTORY_ALICE), fleet, { verify });
    expect(await auth.authenticate('192.0.2.1', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: false, code: 535 });
    expect(await auth.authenticate('192.0.2.1', 'Alice@example.test', 'directory-secret-1')).toEqual({ ok: true, user: 'alice@example.test' });
    expect(await auth.authenticate('192.0.2.1', 'alice@example.test', 'directory-secret-1')).toEqual({ ok: true, user: 'alice@example.test' });
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify).toHaveBeenCalledWith({ url: 'ldap://127.0.0.1:3890', startTls: false }, 'uid=alice,dc=example,dc=test', 'directory-secret-1');
    expect(await fleet.counters.hit('authfail user alice@example.test', 600, 0)).toBe(1);
  });

  it('answers 454 and counts nothing while the directory cannot answer', async () => {
    const fleet = new MemoryFleetState();
    const auth = newAuth(await storeWithAlice(dir, 'right-horse-battery', DIRECTORY_ALICE), fleet, { verify: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    expect(await auth.authenticate('192.0.2.1', 'alice@example.test', 'directory-secret-1')).toMatchObject({ ok: false, code: 454 });
    expect(await fleet.counters.hit('authfail user alice@example.test', 600, 0)).toBe(0);
  });
});
