import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventJournal } from './event-journal.js';

const record = (i: number) => ({ subject: 'moat.events.message.n1', msgId: `m-${i}`, payload: Buffer.from(`payload ${i}`) });

describe('EventJournal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'journal-spec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps unacknowledged records across a restart and resumes after the last commit', () => {
    const journal = EventJournal.open(dir);
    for (let i = 0; i < 5; i++) journal.append(record(i));
    const batch = journal.readBatch(30);
    expect(batch.records.map((r) => r.msgId)).toEqual(['m-0']);
    journal.commit(batch);
    journal.close();

    const reopened = EventJournal.open(dir);
    expect(reopened.pending).toBe(4);
    const rest = reopened.readBatch();
    expect(rest.records.map((r) => r.msgId)).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
    expect(Buffer.from(rest.records[3]!.payload).toString()).toBe('payload 4');
    reopened.commit(rest);
    expect(reopened.pending).toBe(0);
    expect(reopened.pendingBytes).toBe(0);
    reopened.close();
  });

  it('truncates the file once everything is acknowledged and it has grown past 1 MiB', async () => {
    const journal = EventJournal.open(dir);
    journal.append(record(1));
    journal.commit(journal.readBatch());
    expect((await stat(join(dir, 'events.journal'))).size).toBeGreaterThan(0);
    journal.append({ ...record(1), payload: Buffer.alloc(1 << 20) });
    journal.commit(journal.readBatch(2 << 20));
    journal.flushSync();
    expect((await stat(join(dir, 'events.journal'))).size).toBe(0);
    journal.append(record(2));
    journal.close();
    expect(EventJournal.open(dir).readBatch().records.map((r) => r.msgId)).toEqual(['m-2']);
  });

  it('cuts off a record torn by a crash and goes on appending after the last whole one', async () => {
    const journal = EventJournal.open(dir);
    journal.append(record(1));
    journal.close();
    await appendFile(join(dir, 'events.journal'), Buffer.from([200, 0, 0, 0, 1, 2, 3]));

    const reopened = EventJournal.open(dir);
    expect(reopened.pending).toBe(1);
    reopened.append(record(2));
    expect(reopened.readBatch().records.map((r) => r.msgId)).toEqual(['m-1', 'm-2']);
    reopened.close();
  });
});
