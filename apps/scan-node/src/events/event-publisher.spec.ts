import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { EventJournal, type JournalRecord } from './event-journal.js';
import { EventPublisher, type EventSink } from './event-publisher.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A stream that de-duplicates by msg id as JetStream does, and can be made to fail. */
class DedupStream implements EventSink {
  readonly stored = new Map<string, string>();
  sends = 0;
  failAfter = Infinity;

  async publish(record: JournalRecord): Promise<void> {
    this.sends++;
    if (this.sends > this.failAfter) throw new Error('nats down');
    if (!this.stored.has(record.msgId)) this.stored.set(record.msgId, Buffer.from(record.payload).toString());
  }
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
};

describe('EventPublisher', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'publisher-spec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('journals while the sink is away and replays everything once it is back', async () => {
    const stream = new DedupStream();
    let connected = false;
    const publisher = new EventPublisher(EventJournal.open(dir), () => (connected ? stream : undefined), quiet);
    publisher.start();
    for (let i = 0; i < 10; i++) publisher.emit({ subject: 's', msgId: `m-${i}`, payload: Buffer.from(String(i)) });
    await new Promise((r) => setTimeout(r, 50));
    expect(stream.sends).toBe(0);
    expect(publisher.backlog).toBe(10);

    connected = true;
    publisher.reconnected();
    await until(() => publisher.backlog === 0);
    expect([...stream.stored.keys()]).toHaveLength(10);
    await publisher.stop();
  });

  it('retries a batch that failed half way with the same msg ids, so nothing is lost or doubled', async () => {
    const stream = new DedupStream();
    stream.failAfter = 3;
    const publisher = new EventPublisher(EventJournal.open(dir), () => stream, quiet);
    for (let i = 0; i < 8; i++) publisher.emit({ subject: 's', msgId: `m-${i}`, payload: Buffer.from(String(i)) });
    publisher.start();
    await until(() => stream.sends > 3);
    expect(publisher.backlog).toBe(8);
    stream.failAfter = Infinity;
    publisher.reconnected();
    await until(() => publisher.backlog === 0);
    expect([...stream.stored.keys()].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `m-${i}`).sort());
    await publisher.stop();
  });

  it('replays after a restart what was journalled but never acknowledged', async () => {
    const first = new EventPublisher(EventJournal.open(dir), () => undefined, quiet);
    first.emit({ subject: 's', msgId: 'm-kept', payload: Buffer.from('x') });
    await first.stop(0);

    const stream = new DedupStream();
    const second = new EventPublisher(EventJournal.open(dir), () => stream, quiet);
    second.start();
    await until(() => stream.stored.has('m-kept'));
    await second.stop();
  });
});
