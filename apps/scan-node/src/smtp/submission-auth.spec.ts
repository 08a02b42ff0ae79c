import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '@moat/credentials';
import { FleetStateUnavailable, MemoryFleetState, type WindowCounters } from '@moat/fleet-state';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../log.js';
import { PolicyStore } from '../policy/policy-store.js';
import { SubmissionAuth } from './submission-auth.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function storeWithAlice(dir: string, password: string): Promise<PolicyStore> {
  const store = await PolicyStore.open(dir);
  const policy = {
    domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }],
    outbound: { accounts: [{ address: 'alice@example.test', canSend: true, passwordHash: await hashPassword(password) }], authFailures: { perIp: 2, windowSeconds: 600 } },
  };
  const json = JSON.stringify(policy);
  await store.apply({ version: 1, json, sha256: createHash('sha256').update(json).digest('hex'), createdAtMs: 0, author: 'spec', comment: '' });
  return store;
}

describe('SubmissionAuth', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'submission-auth-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the password whose hash the policy holds, for the address in any case', async () => {
    const auth = new SubmissionAuth(await storeWithAlice(dir, 'right-horse-battery'), new MemoryFleetState().counters, quiet);
    expect(await auth.authenticate('192.0.2.1', 'Alice@Example.test', 'right-horse-battery')).toEqual({ ok: true, user: 'alice@example.test' });
    expect(await auth.authenticate('192.0.2.1', 'alice@example.test', 'wrong')).toMatchObject({ ok: false, code: 535, message: '5.7.8 Error: authentication credentials invalid' });
    expect(await auth.authenticate('192.0.2.2', 'nobody@example.test', 'right-horse-battery')).toMatchObject({ ok: false, code: 535 });
  });

  it('blocks an address after perIp failures, fleet-wide (another node sharing the counters), not other addresses', async () => {
    const fleet = new MemoryFleetState();
    const store = await storeWithAlice(dir, 'right-horse-battery');
    const nodeA = new SubmissionAuth(store, fleet.counters, quiet);
    const nodeB = new SubmissionAuth(store, fleet.counters, quiet);
    await nodeA.authenticate('192.0.2.7', 'alice@example.test', 'guess-1');
    await nodeA.authenticate('192.0.2.7', 'alice@example.test', 'guess-2');
    expect(await nodeB.authenticate('192.0.2.7', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: false, code: 454 });
    expect(await nodeB.authenticate('192.0.2.8', 'alice@example.test', 'right-horse-battery')).toMatchObject({ ok: true });
  });

  it('remembers a verified password, so scrypt runs once for many messages', async () => {
    const store = await storeWithAlice(dir, 'right-horse-battery');
    const auth = new SubmissionAuth(store, new MemoryFleetState().counters, quiet);
    await auth.authenticate('192.0.2.1', 'alice@example.test', 'right-horse-battery');
    const started = performance.now();
    for (let i = 0; i < 50; i++) expect((await auth.authenticate('192.0.2.1', 'alice@example.test', 'right-horse-battery')).ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('still authenticates, uncounted, while the fleet state is unreachable', async () => {
    const down: WindowCounters = { hit: vi.fn(() => Promise.reject(new FleetStateUnavailable('NATS down'))) };
    const auth = new SubmissionAuth(await storeWithAlice(dir, 'right-horse-battery'), down, quiet);
    expect((await auth.authenticate('192.0.2.1', 'alice@example.test', 'right-horse-battery')).ok).toBe(true);
    expect((await auth.authenticate('192.0.2.1', 'alice@example.test', 'bad')).ok).toBe(false);
  });
});
