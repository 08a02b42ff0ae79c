import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { EventBusRepository, type BusEvent } from '../repositories/event-bus.repository.js';
import { EventStoreRepository } from '../repositories/event-store.repository.js';
import { errorMessage } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { deliveryExport, messageExports } from './export-events.js';
import { ExportLogService } from './export-log.service.js';

/**
 * A batch is written when it holds this many events or when its oldest event has waited FLUSH_AFTER_MS. While
 * a batch is being written the next one keeps growing (up to the consumer's MAX_ACK_PENDING of 5000), so under
 * load each insert carries thousands of events: few parts for ClickHouse to write and merge.
 */
export const BATCH_SIZE = 2000;
export const FLUSH_AFTER_MS = 500;
/** Redelivery delay for a batch whose insert failed (ClickHouse down): retried, never dropped. */
export const RETRY_DELAY_MS = 2000;

const MESSAGE_PREFIX = 'moat.events.message.';
const DELIVERY_PREFIX = 'moat.events.delivery.';

/** What the ingest reports to the metrics (MetricsService; a spec may count for itself). */
export abstract class IngestMetrics {
  /** One batch's insert: its size and time, and on success the events it wrote by kind. */
  abstract insert(result: { events: number; seconds: number; ok: boolean; messages: number; deliveries: number }): void;
  abstract droppedEvent(): void;
}

interface Decoded {
  event: BusEvent;
  message?: MessageEvent;
  delivery?: DeliveryEvent;
}

/**
 * Moves events from JetStream into ClickHouse: decodes each protobuf payload, batches them, inserts, and acks
 * only after the insert succeeded and the batch's events are in the export log. A failed insert naks the whole
 * batch for redelivery; the store is idempotent per message id and the export log per event id, so a batch
 * written twice still leaves one row per message and one exported event per event.
 */
@Injectable()
export class EventIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ingest');
  private readonly stopping = new AbortController();
  private batch: Decoded[] = [];
  /** A write is queued behind the running one; it takes the batch as it stands when it starts. */
  private queued = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private consuming: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: EventBusRepository,
    private readonly store: EventStoreRepository,
    private readonly metrics: IngestMetrics,
    private readonly exportLog: ExportLogService,
  ) {}

  onApplicationBootstrap(): void {
    const signal = this.stopping.signal;
    this.consuming = retryUntilDone('ClickHouse schema', () => this.store.ensureSchema(), signal, this.logger).then(() =>
      this.bus.consume((event) => this.accept(event), signal),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.consuming;
    await this.flush();
  }

  /** Takes one event from the bus; undecodable payloads are terminated with the reason logged. */
  accept(event: BusEvent): void {
    const decoded = decode(event);
    if (typeof decoded === 'string') {
      this.logger.error(`event seq ${event.seq} on ${event.subject} dropped: ${decoded}`);
      this.metrics.droppedEvent();
      event.term(decoded);
      return;
    }
    this.batch.push(decoded);
    if (this.batch.length >= BATCH_SIZE) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
  }

  /** Writes the pending batch; batches are written one at a time, in order. Resolves when it is written or naked. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.batch.length || this.queued) return this.writing;
    this.queued = true;
    this.writing = this.writing.then(() => {
      this.queued = false;
      const batch = this.batch;
      this.batch = [];
      return batch.length ? this.write(batch) : undefined;
    });
    return this.writing;
  }

  private async write(batch: Decoded[]): Promise<void> {
    const messages = uniqueMessages(batch);
    const deliveries = batch.flatMap((d) => (d.delivery ? [d.delivery] : []));
    const started = performance.now();
    const outcome = (ok: boolean) =>
      this.metrics.insert({ events: batch.length, seconds: (performance.now() - started) / 1000, ok, messages: batch.length - deliveries.length, deliveries: deliveries.length });
    try {
      await this.store.insertEvents(messages, deliveries);
      // In stream order; a failure here naks too, and the redelivered batch adds only what the log lacks.
      await this.exportLog.append(batch.flatMap((d) => (d.message ? messageExports(d.message) : d.delivery ? [deliveryExport(d.delivery)] : [])));
      outcome(true);
    } catch (err) {
      outcome(false);
      this.logger.error(`insert of ${batch.length} events failed, redelivery in ${RETRY_DELAY_MS} ms: ${errorMessage(err)}`);
      for (const { event } of batch) event.nak(RETRY_DELAY_MS);
      return;
    }
    for (const { event } of batch) event.ack();
  }
}

function decode(event: BusEvent): Decoded | string {
  try {
    if (event.subject.startsWith(MESSAGE_PREFIX)) {
      const message = MessageEvent.decode(event.data);
      return message.id ? { event, message } : 'MessageEvent without an id';
    }
    if (event.subject.startsWith(DELIVERY_PREFIX)) {
      const delivery = DeliveryEvent.decode(event.data);
      return delivery.messageId ? { event, delivery } : 'DeliveryEvent without a message id';
    }
    return `unknown event subject ${event.subject}`;
  } catch (err) {
    return `not a valid protobuf payload: ${errorMessage(err)}`;
  }
}

/** The batch's MessageEvents with duplicates (same message id) removed, first one kept. */
function uniqueMessages(batch: Decoded[]): MessageEvent[] {
  const byId = new Map<string, MessageEvent>();
  for (const { message } of batch) if (message && !byId.has(message.id)) byId.set(message.id, message);
  return [...byId.values()];
}
