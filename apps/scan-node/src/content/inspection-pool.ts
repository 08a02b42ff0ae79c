import { Worker } from 'node:worker_threads';
import type { ContentReport, InspectOptions } from '@moat/content';
import type { MessageReading } from '@moat/pipeline';
import { errorText, type Logger } from '../log.js';

/** Parent to worker: read this message. */
export interface InspectionRequest {
  id: number;
  raw: Uint8Array;
  options: InspectOptions;
}

/**
 * Worker to parent: the reading (file contents arrive as Uint8Array), or why `readMessage` threw; and the bytes
 * the worker's heap and buffers hold once it has answered (`retainedBytes`).
 */
export type InspectionReply = ({ id: number; reading: MessageReading } | { id: number; error: string }) & { retainedBytes: number };

export interface InspectionPoolOptions {
  /** Worker threads; each inspects one message at a time. */
  size: number;
  /** Old-generation heap of one worker in MiB; past it the worker dies and its message is incomplete. */
  heapMb: number;
  log: Logger;
  /** The worker script; the built inspection-worker.js beside this file unless a test gives another. */
  script?: URL;
  /** A worker that holds more than this (MiB of heap and buffers) after a message is replaced by a fresh one. */
  recycleAboveMb: number;
  /** A worker is replaced after this many messages whatever it holds. */
  recycleAfterMessages: number;
}

interface Job {
  raw: Buffer;
  options: InspectOptions;
  timeoutMs: number;
  resolve: (reading: MessageReading) => void;
}

interface Slot {
  worker: Worker;
  messages: number;
  running?: { id: number; job: Job; timer: NodeJS.Timeout };
}

/**
 * The message reading (`readMessage`: the MIME walk, the text the body checks read and stage 2's inspection)
 * on worker threads, so that an archive bomb or a 5,000-part message never stalls the node's event loop
 * (other sessions, delivery, heartbeats), and the parsing of every message runs beside it. Each message has a
 * time budget and each worker a heap budget: a worker past either is terminated and replaced, and its message
 * gets an incomplete report (INSPECTION_STOPPED), which the policy quarantines or refuses, never delivers as clean.
 *
 * A worker is also replaced once it answered when it still holds much memory (an archive bomb leaves tens of
 * MiB of extracted data in its isolate, which an idle isolate never collects) and after a number of messages,
 * so that what one message made a worker grow is given back instead of staying with the node for good.
 */
export class InspectionPool {
  private readonly idle: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly script: URL;
  private nextId = 1;
  private closed = false;
  /** Workers replaced after a message because of what they held or how many messages they read. */
  recycled = 0;

  constructor(private readonly options: InspectionPoolOptions) {
    this.script = options.script ?? new URL('./inspection-worker.js', import.meta.url);
    for (let i = 0; i < options.size; i++) this.idle.push(this.spawn());
  }

  /** The pipeline's `reader`. */
  readonly read = (raw: Buffer, options: InspectOptions, timeoutMs: number): Promise<MessageReading> =>
    new Promise((resolve) => {
      if (this.closed) return resolve(stopped('the node is stopping'));
      const job = { raw, options, timeoutMs, resolve };
      const slot = this.idle.pop();
      if (slot) this.run(slot, job);
      else this.queue.push(job);
    });

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(stopped('the node is stopping'));
    const workers = this.idle.splice(0).map((s) => s.worker);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb } }), messages: 0 };
    slot.worker.on('message', (reply: InspectionReply) => {
      const running = slot.running;
      if (!running || running.id !== reply.id) return;
      clearTimeout(running.timer);
      slot.running = undefined;
      running.job.resolve('reading' in reply ? revive(reply.reading) : stopped(`the inspection failed: ${reply.error}`));
      slot.messages++;
      if (reply.retainedBytes > this.options.recycleAboveMb * MIB || slot.messages >= this.options.recycleAfterMessages) this.recycle(slot);
      else this.release(slot);
    });
    slot.worker.on('error', (err) => this.replace(slot, `its worker failed: ${errorText(err)}`));
    slot.worker.on('exit', (code) => this.replace(slot, `its worker exited with code ${code}`));
    return slot;
  }

  private run(slot: Slot, job: Job): void {
    const id = this.nextId++;
    const timer = setTimeout(() => this.replace(slot, `it did not finish within ${job.timeoutMs} ms`), job.timeoutMs);
    slot.running = { id, job, timer };
    // A message in a SharedArrayBuffer (as the SMTP side collects it) crosses without a copy; a view into a
    // larger buffer would carry all of it to the worker: send only the message's bytes.
    const raw = job.raw.byteLength === job.raw.buffer.byteLength ? job.raw : Uint8Array.prototype.slice.call(job.raw);
    slot.worker.postMessage({ id, raw, options: job.options } satisfies InspectionRequest);
  }

  private release(slot: Slot): void {
    const next = this.queue.shift();
    if (next) this.run(slot, next);
    else if (this.closed) void slot.worker.terminate();
    else this.idle.push(slot);
  }

  /** Terminates an idle slot's worker and puts a fresh one in its place. */
  private recycle(slot: Slot): void {
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.recycled++;
    if (this.closed) return;
    this.release(this.spawn());
  }

  /** Ends the slot's message with an incomplete report and puts a fresh worker in its place. */
  private replace(slot: Slot, why: string): void {
    const running = slot.running;
    if (!running) {
      // An idle worker that died (or was terminated by close): drop it and start another unless closing.
      const index = this.idle.indexOf(slot);
      if (index !== -1 && !this.closed) this.idle.splice(index, 1, this.spawn());
      return;
    }
    clearTimeout(running.timer);
    slot.running = undefined;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.options.log.warn(`inspection stopped: ${why}; a new worker takes its place`);
    running.job.resolve(stopped(why));
    if (this.closed) return;
    this.release(this.spawn());
  }
}

const MIB = 1024 * 1024;

/** The reading of a message whose inspection was stopped: no content, nothing inspected, incomplete. */
function stopped(why: string): MessageReading {
  const report: ContentReport = { findings: [{ symbol: 'INSPECTION_STOPPED', detail: `the inspection was stopped: ${why}`, path: '' }], files: [], complete: false, parts: 0 };
  return { report };
}

/** File contents come back from the worker as Uint8Array: the same bytes as Buffers, without a copy. */
function revive(reading: MessageReading): MessageReading {
  const files = reading.report.files.map((f) => ({ ...f, content: Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength) }));
  return { ...reading, report: { ...reading.report, files } };
}
