import { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventBusRepository, type BusEvent, type ConsumerLag } from '../repositories/event-bus.repository.js';
import { InMemoryEventStore } from '../testing/in-memory-repositories.js';
import { BATCH_SIZE, EventIngestService, FLUSH_AFTER_MS, IngestMetrics, RETRY_DELAY_MS } from './event-ingest.service.js';
import { ExportLogService } from './export-log.service.js';

/** The specs hand events to the service directly. */
class NoBus extends EventBusRepository {
  consume(): Promise<void> {
    return Promise.resolve();
  }
  lag(): Promise<ConsumerLag> {
    return Promise.resolve({ pending: 0, ackPending: 0 });
  }
}

class CountingMetrics extends IngestMetrics {
  readonly inserts: Array<{ events: number; ok: boolean; messages: number; deliveries: number }> = [];
  dropped = 0;
  insert({ events, ok, messages, deliveries }: { events: number; seconds: number; ok: boolean; messages: number; deliveries: number }): void {
    this.inserts.push({ events, ok, messages, deliveries });
  }
  droppedEvent(): void {
    this.dropped++;
  }
}

interface Recorded extends BusEvent {
  outcome: string;
}

function busEvent(subject: string, data: Uint8Array): Recorded {
  const event: Recorded = {
    subject,
    data,
    seq: 1,
    outcome: 'pending',
    ack: () => (event.outcome = 'ack'),
    nak: (delay) => (event.outcome = `nak ${delay}`),
    term: () => (event.outcome = 'term'),
  };
  return event;
}

const message = (id: string) => busEvent('moat.events.message.n1', MessageEvent.encode(MessageEvent.fromPartial({ id, nodeId: 'n1' })).finish());
const delivery = (id: string) =>
  busEvent('moat.events.delivery.n1', DeliveryEvent.encode(DeliveryEvent.fromPartial({ messageId: id, nodeId: 'n1', result: { status: 'delivered' } })).finish());

describe('EventIngestService', () => {
  let store: InMemoryEventStore;
  let service: EventIngestService;
  let metrics: CountingMetrics;

  beforeEach(() => {
    vi.useFakeTimers();
    store = new InMemoryEventStore();
    metrics = new CountingMetrics();
    service = new EventIngestService(new NoBus(), store, metrics, new ExportLogService(store));
  });
  afterEach(() => vi.useRealTimers());

  it('writes a batch after FLUSH_AFTER_MS and acks only once it is stored', async () => {
    const events = [message('a'), delivery('a')];
    events.forEach((e) => service.accept(e));
    expect(store.messages).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(FLUSH_AFTER_MS);
    expect(store.messages.map((m) => m.id)).toEqual(['a']);
    expect(store.deliveries.map((d) => d.result?.status)).toEqual(['delivered']);
    expect(events.map((e) => e.outcome)).toEqual(['ack', 'ack']);
    expect(metrics.inserts).toEqual([{ events: 2, ok: true, messages: 1, deliveries: 1 }]);
    expect(store.exportRows.map((r) => r.id)).toEqual(['message:a', 'delivery:a:delivered:0:']);
  });

  it('exports each event once, in stream order, whatever the redeliveries', async () => {
    const withFinding = busEvent(
      'moat.events.message.n1',
      MessageEvent.encode(MessageEvent.fromPartial({ id: 'f', nodeId: 'n1', symbols: [{ name: 'GOOD', score: -1 }, { name: 'BAD', score: 3 }] })).finish(),
    );
    [message('a'), withFinding, message('a')].forEach((e) => service.accept(e));
    await service.flush();
    [withFinding, delivery('a'), message('b')].forEach((e) => service.accept(e));
    await service.flush();
    expect(store.exportRows.map((r) => r.id)).toEqual(['message:a', 'message:f', 'finding:f:1', 'delivery:a:delivered:0:', 'message:b']);
    const seqs = store.exportRows.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('writes at once when BATCH_SIZE events are waiting', async () => {
    for (let i = 0; i < BATCH_SIZE; i++) service.accept(message(`m${i}`));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.messages).toHaveLength(BATCH_SIZE);
  });

  it('stores a message seen twice in one batch once, and acks both copies', async () => {
    const copies = [message('dup'), message('dup')];
    copies.forEach((e) => service.accept(e));
    await service.flush();
    expect(store.messages.map((m) => m.id)).toEqual(['dup']);
    expect(copies.map((e) => e.outcome)).toEqual(['ack', 'ack']);
  });

  it('naks the whole batch for redelivery when the insert fails', async () => {
    store.failInserts = new Error('ClickHouse is down');
    const events = [message('x'), delivery('x')];
    events.forEach((e) => service.accept(e));
    await service.flush();
    expect(events.map((e) => e.outcome)).toEqual([`nak ${RETRY_DELAY_MS}`, `nak ${RETRY_DELAY_MS}`]);
    expect(metrics.inserts).toEqual([{ events: 2, ok: false, messages: 1, deliveries: 1 }]);
  });

  it('terminates payloads it cannot decode instead of retrying them forever', async () => {
    const garbage = busEvent('moat.events.message.n1', new Uint8Array([0xff, 0xff, 0xff]));
    const unknown = busEvent('moat.events.other.n1', new Uint8Array());
    const anonymous = busEvent('moat.events.message.n1', MessageEvent.encode(MessageEvent.fromPartial({})).finish());
    [garbage, unknown, anonymous].forEach((e) => service.accept(e));
    await service.flush();
    expect([garbage.outcome, unknown.outcome, anonymous.outcome]).toEqual(['term', 'term', 'term']);
    expect(store.messages).toHaveLength(0);
    expect(metrics.dropped).toBe(3);
  });
});
