import { ensureEventsStream, natsServers, openQuarantineStore } from '@moat/bus';
import type { ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { EventSink } from '../events/event-publisher.js';
import { errorText, type Logger } from '../log.js';
import { StreamPublisher } from './stream-publisher.js';

const PUBLISH_TIMEOUT_MS = 5000;
const RETRY_MAX_MS = 5000;

/**
 * The node's NATS connection. It is optional at every moment: the node accepts and delivers mail without it,
 * journals events and keeps quarantined messages locally, and catches up once `ready` fires. The connection is
 * set up in the background (retrying until NATS answers), and the events stream is ensured after each
 * (re)connect since a restarted NATS may have lost it.
 */
export class NatsLink {
  private nc: NatsConnection | undefined;
  private publisher: StreamPublisher | undefined;
  private store: ObjectStore | undefined;
  private usable = false;
  private closed = false;
  private readonly readyListeners: Array<() => void> = [];

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.connectLoop();
  }

  /** Runs LISTENER each time NATS becomes usable (first connect and every reconnect). */
  onReady(listener: () => void): void {
    this.readyListeners.push(listener);
  }

  get connected(): boolean {
    return this.usable;
  }

  /** Publisher into JetStream, or undefined while NATS is unreachable. */
  eventSink(): EventSink | undefined {
    const publisher = this.publisher;
    if (!this.usable || !publisher) return undefined;
    return { publish: (record) => publisher.publish(record.subject, record.payload, record.msgId) };
  }

  /** The connection while NATS is usable (for the fleet state's KV buckets), else undefined. */
  connection(): NatsConnection | undefined {
    return this.usable ? this.nc : undefined;
  }

  /** The quarantine object store, or undefined while NATS is unreachable. */
  quarantineStore(): ObjectStore | undefined {
    return this.usable ? this.store : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.usable = false;
    this.publisher?.close();
    await this.nc?.drain().catch(() => this.nc?.close());
  }

  private async connectLoop(): Promise<void> {
    let delay = 250;
    let reported = false;
    while (!this.closed) {
      try {
        // noAsyncTraces: otherwise every request (each event's publish) builds an Error with a stack up front.
        const nc = await connect({ servers: natsServers(this.url), name: this.name, maxReconnectAttempts: -1, reconnectTimeWait: 1000, noAsyncTraces: true });
        this.nc = nc;
        this.publisher = new StreamPublisher(nc, PUBLISH_TIMEOUT_MS);
        void this.watchStatus(nc);
        await this.ensureUsable(nc);
        return;
      } catch (err) {
        if (!reported) this.log.warn(`NATS at ${this.url} unreachable, retrying in the background: ${errorText(err)}`);
        reported = true;
        await sleep(delay);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  /** Makes sure the events stream and the quarantine bucket exist, retrying while the connection lasts. */
  private async ensureUsable(nc: NatsConnection): Promise<void> {
    let delay = 250;
    let reported = false;
    while (!this.closed && !nc.isClosed() && !this.usable) {
      try {
        await ensureEventsStream(nc);
        this.store ??= await openQuarantineStore(nc);
        this.usable = true;
        this.log.info(`connected to NATS at ${this.url}`);
        for (const listener of this.readyListeners) listener();
      } catch (err) {
        if (!reported) this.log.warn(`NATS connected but JetStream is not ready, retrying: ${errorText(err)}`);
        reported = true;
        await sleep(delay);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.usable = false;
        this.log.warn('NATS connection lost; journalling events and quarantining locally');
      } else if (status.type === 'reconnect') {
        void this.ensureUsable(nc);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
