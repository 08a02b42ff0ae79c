import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, testAudit } from '../testing/in-memory-repositories.js';
import { chainEntry } from '../util/audit-chain.js';
import { InvalidInputError } from '../util/errors.js';
import { AuditService } from './audit.service.js';

describe('AuditService', () => {
  let store: InMemoryEventStore;
  let config: InMemoryConfigRepository;
  let audit: AuditService;

  beforeEach(() => {
    store = new InMemoryEventStore();
    config = new InMemoryConfigRepository();
    audit = testAudit(store, config);
  });

  const record = (n: number) => audit.record({ admin: n % 2 ? 'alice' : 'bob', action: n % 3 ? 'policy.change' : 'mail.release', target: `t${n}` });

  it('chains entries in one order across replicas sharing the head', async () => {
    const other = testAudit(store, config);
    await Promise.all([record(1), other.record({ admin: 'carol', action: 'login', target: 'carol' }), record(2), other.record({ admin: 'carol', action: 'logout', target: 'carol' })]);
    expect(store.audit.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(config.auditHead?.entry.seq).toBe(4);
    await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 4, firstSeq: 1, lastSeq: 4, headSeq: 4, broken: null });
  });

  it('writes an entry whose insert failed with the next append, so the chain has no gap', async () => {
    await record(1);
    store.failInserts = new Error('clickhouse down');
    await expect(record(2)).rejects.toThrow('clickhouse down');
    store.failInserts = undefined;
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, broken: { seq: 2, reason: 'entries 2 to 2 are missing (the chain head is entry 2)' } });
    await testAudit(store, config).record({ admin: 'bob', action: 'login', target: 'bob' });
    expect(store.audit.map((e) => e.seq)).toEqual([1, 2, 3]);
    await expect(audit.verify()).resolves.toMatchObject({ ok: true, lastSeq: 3 });
  });

  it('keeps quiet entries that could not be stored and stores them, in order, before the next one', async () => {
    store.failInserts = new Error('clickhouse down');
    await audit.recordQuietly({ admin: 'alice', action: 'login', target: 'alice' });
    store.failInserts = undefined;
    await record(2);
    expect(store.audit.map((e) => [e.seq, e.action])).toEqual([[1, 'login'], [2, 'policy.change']]);
    audit.onApplicationShutdown();
  });

  it('starts the chain with the rows of the former audit table', async () => {
    store.legacy = [{ atMs: 5, admin: 'admin', action: 'login', target: 'admin', detail: '', ok: true }];
    await record(1);
    expect(store.audit.map((e) => [e.seq, e.action, e.atMs === 5])).toEqual([[1, 'login', true], [2, 'policy.change', false]]);
    await expect(audit.verify()).resolves.toMatchObject({ ok: true, checked: 2 });
  });

  it('names the first entry changed in the store', async () => {
    for (let n = 1; n <= 5; n++) await record(n);
    store.audit.splice(2, 1, ...store.audit.slice(2, 3).map((e) => ({ ...e, detail: 'forged' })));
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, checked: 2, broken: { seq: 3 } });
  });

  it('finds entries cut from the end or chained on behind the head', async () => {
    for (let n = 1; n <= 4; n++) await record(n);
    const cut = store.audit.splice(3);
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, checked: 3, broken: { seq: 4, reason: 'entries 4 to 4 are missing (the chain head is entry 4)' } });
    store.audit.push(...cut, chainEntry(cut[0], { atMs: 1, admin: 'mallory', action: 'login', target: 'mallory', detail: '', ok: true }));
    await expect(audit.verify()).resolves.toMatchObject({ ok: false, broken: { seq: 5, reason: 'entries 5 to 5 were added after the chain head (entry 4)' } });
  });

  it('pages newest first with a cursor and filters by actor, action family and time', async () => {
    for (let n = 1; n <= 7; n++) await record(n);
    const first = await audit.search({ limit: '3' });
    expect(first.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    const second = await audit.search({ limit: '3', cursor: first.nextCursor });
    expect(second.entries.map((e) => e.seq)).toEqual([4, 3, 2]);
    const last = await audit.search({ limit: '3', cursor: second.nextCursor });
    expect(last).toEqual({ entries: [expect.objectContaining({ seq: 1 })], nextCursor: null });
    expect((await audit.search({ actor: 'bob', action: 'mail' })).entries.map((e) => e.seq)).toEqual([6]);
    expect((await audit.search({ from: String(Date.now() + 60_000) })).entries).toEqual([]);
  });

  it('refuses a bad limit, cursor or time range', async () => {
    for (const query of [{ limit: '0' }, { limit: '1001' }, { cursor: 'abc' }, { cursor: '0' }, { from: '2000', to: '1000' }, { actor: ['a', 'b'] }]) {
      await expect(audit.search(query)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
