import type { AuditExport } from '@moat/bus';
import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { ExportLogService, SEQ_PER_MS } from './export-log.service.js';

const audit = (n: number): AuditExport => ({ id: `audit:${n}`, kind: 'audit', atMs: n, admin: 'admin', action: 'policy.update', target: String(n), detail: '', ok: true });

describe('ExportLogService', () => {
  it('pages through every event once, each next cursor resuming after the last event it returned', async () => {
    const store = new InMemoryEventStore();
    const log = new ExportLogService(store);
    await log.append([1, 2, 3, 4, 5].map(audit));
    const first = await log.page(undefined, '2');
    expect(first.events.map((e) => e.id)).toEqual(['audit:1', 'audit:2']);
    expect(first.cursor).toBe(String(first.events[1]!.seq));
    const rest = await log.page(first.cursor, '10');
    expect(rest.events.map((e) => e.id)).toEqual(['audit:3', 'audit:4', 'audit:5']);
    const empty = await log.page(rest.cursor, undefined);
    expect(empty).toEqual({ events: [], cursor: rest.cursor });
  });

  it('skips events exported before (by id) and keeps positions rising across a restart', async () => {
    const store = new InMemoryEventStore();
    await new ExportLogService(store).append([audit(1), audit(2), audit(2)]);
    const restarted = new ExportLogService(store);
    await restarted.append([audit(2), audit(3)]);
    expect(store.exportRows.map((r) => r.id)).toEqual(['audit:1', 'audit:2', 'audit:3']);
    const seqs = store.exportRows.map((r) => r.seq);
    expect(seqs[0]).toBeGreaterThanOrEqual((Date.now() - 60_000) * SEQ_PER_MS);
    expect(seqs[1]! > seqs[0]! && seqs[2]! > seqs[1]!).toBe(true);
  });

  it('never reuses a position after a failed append, and the retry exports the events once', async () => {
    const store = new InMemoryEventStore();
    const log = new ExportLogService(store);
    await log.append([audit(1)]);
    store.failInserts = new Error('ClickHouse is down');
    await expect(log.append([audit(2)])).rejects.toThrow('down');
    store.failInserts = undefined;
    await log.append([audit(2), audit(1)]);
    expect(store.exportRows.map((r) => r.id)).toEqual(['audit:1', 'audit:2']);
    expect(store.exportRows[1]!.seq).toBeGreaterThan(store.exportRows[0]!.seq + 1);
  });

  it('refuses a cursor or limit that is not one', async () => {
    const log = new ExportLogService(new InMemoryEventStore());
    for (const [cursor, limit] of [['abc', undefined], ['-1', undefined], ['1e5', undefined], ['99999999999999999999', undefined], ['1', '0'], ['1', '1001'], ['1', 'x']]) {
      await expect(log.page(cursor, limit)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  it('wakes a waiting reader when events arrive', async () => {
    const log = new ExportLogService(new InMemoryEventStore());
    const started = Date.now();
    const woken = log.nextAppend(10_000);
    await log.append([audit(1)]);
    await woken;
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
