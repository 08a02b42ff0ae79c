import { errorText, type Logger } from '../log.js';
import type { EventJournal, JournalRecord } from './event-journal.js';

/** Where journalled events go: JetStream when connected (see nats/nats-link.ts). */
export interface EventSink {
  /** Resolves once the stream acknowledged the record (or reported it a duplicate of its msg id). */
  publish(record: JournalRecord): Promise<void>;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

/**
 * Publishes every event through the journal: `emit` appends and returns at once (an SMTP reply never waits for
 * NATS), a background loop sends the journal's oldest records in pipelined batches and commits them once all
 * are acknowledged. A failed batch is retried whole with the same msg ids, so nothing is lost or doubled.
 */
export class EventPublisher {
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private failing = false;
  /** During a retry back-off new events do not cut the wait short (only a reconnect or stop does). */
  private backingOff = false;

  constructor(
    private readonly journal: EventJournal,
    private readonly sink: () => EventSink | undefined,
    private readonly log: Logger,
  ) {}

  emit(record: JournalRecord): void {
    try {
      this.journal.append(record);
    } catch (err) {
      this.log.error(`event ${record.msgId} could not be journalled`, err);
      return;
    }
    this.wake();
  }

  /** Events not yet acknowledged by JetStream. */
  get backlog(): number {
    return this.journal.pending;
  }

  /** Called when NATS (re)connects. */
  reconnected(): void {
    this.backingOff = false;
    this.wake();
  }

  private wake(): void {
    if (this.backingOff && !this.stopped) return;
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the loop after one last attempt (bounded by DEADLINE_MS) to send the backlog, and closes the journal. */
  async stop(deadlineMs = 2000): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    const deadline = Date.now() + deadlineMs;
    while (this.journal.pending > 0 && Date.now() < deadline) {
      if (!(await this.publishBatch())) break;
    }
    this.journal.close();
  }

  private async run(): Promise<void> {
    let delay = RETRY_MIN_MS;
    while (!this.stopped) {
      if (this.journal.pending === 0 || !this.sink()) {
        await this.idle(this.journal.pending === 0 ? undefined : RETRY_MAX_MS);
        continue;
      }
      if (await this.publishBatch()) {
        delay = RETRY_MIN_MS;
      } else {
        this.backingOff = true;
        await this.idle(delay);
        this.backingOff = false;
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  }

  /** Sends the oldest batch; true when it was acknowledged and committed. */
  private async publishBatch(): Promise<boolean> {
    const sink = this.sink();
    if (!sink) return false;
    const batch = this.journal.readBatch();
    try {
      await Promise.all(batch.records.map((record) => sink.publish(record)));
    } catch (err) {
      if (!this.failing) this.log.warn(`events kept in the journal until NATS accepts them (${this.journal.pending} waiting): ${errorText(err)}`);
      this.failing = true;
      return false;
    }
    this.journal.commit(batch);
    if (this.failing) this.log.info('events flowing to NATS again');
    this.failing = false;
    return true;
  }

  /** Waits for a wake-up (new event, NATS reconnected, stop) or TIMEOUTMS. */
  private idle(timeoutMs: number | undefined): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
