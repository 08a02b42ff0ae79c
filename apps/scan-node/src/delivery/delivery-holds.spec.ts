import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { PolicyStore } from '../policy/policy-store.js';
import type { SpoolEntry } from '../spool/spool.js';
import { DeliveryHolds } from './delivery-holds.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const entry = (id: string, receivedAtMs: number, sizeBytes = 10): SpoolEntry => ({
  meta: { id, receivedAtMs, mailFrom: '', rcptTo: ['a@held.test'], clientIp: '', helo: '', action: 'deliver', score: 0, policyVersion: 1 },
  state: { attempts: 0, nextAttemptAtMs: receivedAtMs, done: {} },
  sizeBytes,
});

describe('DeliveryHolds', () => {
  let dir: string;
  let policies: PolicyStore;
  const clock = { ms: 0, now: () => clock.ms };
  const open = () => DeliveryHolds.open({ policies, clock, file: join(dir, 'holds.json'), log: quiet });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'holds-spec-'));
    policies = await PolicyStore.open(dir);
    const json = JSON.stringify({ domains: [{ name: 'held.test', downstream: { host: 'mx' }, holds: [{ kind: 'daily', at: '22:00', durationMinutes: 240, timeZone: 'Europe/Berlin' }] }, { name: 'plain.test', downstream: { host: 'mx' } }] });
    await policies.apply({ version: 1, json, sha256: createHash('sha256').update(json).digest('hex'), createdAtMs: 0, author: 'spec', comment: '' });
    clock.ms = Date.parse('2026-01-10T22:30:00Z');
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('holds a domain inside its window and keeps parked mail in order of receipt, whatever order it was parked in', async () => {
    const holds = await open();
    expect(holds.isHeld('held.test')).toBe(true);
    expect(holds.isHeld('plain.test')).toBe(false);
    holds.park('held.test', entry('C', 300));
    holds.park('held.test', entry('A', 100));
    holds.park('held.test', entry('B', 100, 5));
    expect(holds.report()).toEqual([{ domain: 'held.test', messages: 3, bytes: 25, oldestReceivedAtMs: 100, releaseAtMs: Date.parse('2026-01-11T01:00:00Z') }]);
    expect(holds.due()).toEqual([]);
    clock.ms = Date.parse('2026-01-11T01:00:00Z');
    expect(holds.due()).toEqual(['held.test']);
    expect(holds.startDraining('held.test')).toBe(true);
    expect(holds.startDraining('held.test')).toBe(false);
    expect(holds.isHeld('held.test')).toBe(true);
    expect([holds.next('held.test'), holds.next('held.test'), holds.next('held.test')].map((e) => e?.meta.id)).toEqual(['A', 'B', 'C']);
    expect(holds.next('held.test')).toBeUndefined();
    expect(holds.isHeld('held.test')).toBe(false);
  });

  it('remembers a released window across a restart, until the next window', async () => {
    const holds = await open();
    expect(await holds.release('plain.test')).toBeUndefined();
    expect(await holds.release('held.test')).toEqual({ startMs: Date.parse('2026-01-10T21:00:00Z'), endMs: Date.parse('2026-01-11T01:00:00Z') });
    expect(holds.isHeld('held.test')).toBe(false);
    expect((await open()).isHeld('held.test')).toBe(false);
    clock.ms = Date.parse('2026-01-11T22:00:00Z');
    expect((await open()).isHeld('held.test')).toBe(true);
  });

  it('starts with nothing released when its file is damaged', async () => {
    await writeFile(join(dir, 'holds.json'), '{not json');
    expect((await open()).isHeld('held.test')).toBe(true);
  });
});
