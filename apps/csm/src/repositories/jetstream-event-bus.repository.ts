import { Injectable, Logger } from '@nestjs/common';
import { EVENTS_CONSUMER, EVENTS_STREAM, EVENTS_SUBJECTS, ensureEventsStream, scaleStreams } from '@moat/bus';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CsmConfig } from '../csm-config.js';
import { errorMessage } from '../util/errors.js';
import { EventBusRepository, type BusEvent, type ConsumerLag } from './event-bus.repository.js';
import { NatsRepository } from './nats.repository.js';

const nanos = (ms: number) => ms * 1_000_000;
/** Unacked events in flight; bounds memory while ClickHouse is slow and sets the largest batch. */
const MAX_ACK_PENDING = 5000;
/** A metrics scrape does not wait for NATS longer than this. */
const LAG_TIMEOUT_MS = 2000;

/** EventBusRepository over the durable pull consumer csm-clickhouse on MOAT_EVENTS. */
@Injectable()
export class JetStreamEventBusRepository extends EventBusRepository {
  private readonly logger = new Logger('events');

  constructor(
    private readonly nats: NatsRepository,
    private readonly config: CsmConfig,
  ) {
    super();
  }

  async consume(handler: (event: BusEvent) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.consumeOnce(handler, signal);
      } catch (err) {
        if (signal.aborted) return;
        this.logger.warn(`event consumer stopped, resuming in 2 s: ${errorMessage(err)}`);
      }
      await sleep(2000, undefined, { signal }).catch(() => undefined);
    }
  }

  async lag(): Promise<ConsumerLag> {
    const nc = await this.nats.connection(LAG_TIMEOUT_MS);
    const jsm = await jetstreamManager(nc, { timeout: LAG_TIMEOUT_MS, checkAPI: false });
    const info = await jsm.consumers.info(EVENTS_STREAM, EVENTS_CONSUMER);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  private async consumeOnce(handler: (event: BusEvent) => void, signal: AbortSignal): Promise<void> {
    const nc = await this.nats.connection(10_000);
    const jsm = await ensureEventsStream(nc);
    for (const change of await scaleStreams(jsm, this.config.natsReplicas)) this.logger.log(`JetStream copies of ${change}`);
    await this.ensureConsumer(jsm);
    const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM, EVENTS_CONSUMER);
    const messages = await consumer.consume({ max_messages: 1000 });
    const stop = () => void messages.close();
    signal.addEventListener('abort', stop, { once: true });
    this.logger.log(`consuming ${EVENTS_STREAM} as ${EVENTS_CONSUMER}`);
    try {
      for await (const m of messages) {
        handler({
          subject: m.subject,
          data: m.data,
          seq: m.seq,
          ack: () => m.ack(),
          nak: (delayMs) => m.nak(delayMs),
          term: (reason) => m.term(reason),
        });
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const config = {
      durable_name: EVENTS_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: EVENTS_SUBJECTS,
      ack_wait: nanos(30_000),
      max_ack_pending: MAX_ACK_PENDING,
      description: 'CSM: events into ClickHouse, acked after the insert',
    };
    try {
      await jsm.consumers.info(EVENTS_STREAM, EVENTS_CONSUMER);
    } catch {
      await jsm.consumers.add(EVENTS_STREAM, config);
    }
  }
}
