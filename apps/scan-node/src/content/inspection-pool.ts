import { Worker } from 'node:worker_threads';
import type { SpamModel } from '@moat/classifier';
import type { ContentReport, InspectOptions } from '@moat/content';
import type { Policy } from '@moat/policy';
import type { ContentCheckJob, ContentCheckResult, Envelope, MessageReading } from '@moat/pipeline';
import { errorText, type Logger } from '../log.js';

/**
 * Parent to worker: read this message, then run these content checks on it. The policy and the model are sent
 * once per worker (each with a key the worker keeps them under) and named by their key afterwards.
 */
export interface InspectionRequest {
  id: number;
  raw: Uint8Array;
  options: InspectOptions;
  checks?: {
    names: string[];
    envelope: Envelope;
    policy: { key: number; version: number; policy?: Policy };
    model?: { key: number; model?: SpamModel };
  };
}

/**
 * Worker to parent: the reading (file contents arrive as Uint8Array), or why `readMessage` threw; then, when
 * asked, one reply per content check as it finishes. Each carries the bytes the worker's heap and buffers hold
 * once it has answered (`retainedBytes`).
 */
export type InspectionReply = InspectionAnswer & { retainedBytes: number };

/** What a worker answers, before it adds `retainedBytes`. */
export type InspectionAnswer = { id: number; reading: MessageReading } | { id: number; error: string } | { id: number; check: ContentCheckResult };

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
  checks?: ContentCheckJob;
  resolve: (reading: MessageReading) => void;
}

interface Running {
  id: number;
  job: Job;
  timer: NodeJS.Timeout;
  /** Once the MIME walk is done and content checks follow: its reading and the checks' findings so far. */
  reading?: MessageReading;
  results: ContentCheckResult[];
}

interface Slot {
  worker: Worker;
  messages: number;
  running?: Running;
  /** Keys of the policy and the model this worker holds. */
  policyKey?: number;
  modelKey?: number;
}

/**
 * The message reading (`readMessage`: the MIME walk, the text the body checks read and stage 2's inspection)
 * on worker threads, so that an archive bomb or a 5,000-part message never stalls the node's event loop
 * (other sessions, delivery, heartbeats), and the parsing of every message runs beside it. Each message has a
 * time budget and each worker a heap budget: a worker past either is terminated and replaced, and its message
 * gets an incomplete report (INSPECTION_STOPPED), which the policy quarantines or refuses, never delivers as clean.
 * After the walk the worker runs the data stage's content checks (regex filters, classifier, phishing checks:
 * `runContentChecks`) on what it read, under their own budget (`body.checkTimeoutMs`): a worker past it is
 * replaced the same way, and the check it was in ends in CHECK_TIMEOUT, which the session treats as incomplete.
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
  /** Keys for policies and models, so that each worker is sent each one once. */
  private readonly keys = new WeakMap<object, number>();
  private nextKey = 1;

  constructor(private readonly options: InspectionPoolOptions) {
    this.script = options.script ?? new URL('./inspection-worker.js', import.meta.url);
    for (let i = 0; i < options.size; i++) this.idle.push(this.spawn());
  }

  /** The pipeline's `reader`. */
  readonly read = (raw: Buffer, options: InspectOptions, timeoutMs: number, checks?: ContentCheckJob): Promise<MessageReading> =>
    new Promise((resolve) => {
      if (this.closed) return resolve(stopped('the node is stopping'));
      const job = { raw, options, timeoutMs, checks, resolve };
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
      if ('check' in reply) running.results.push(reply.check);
      else if ('reading' in reply) running.reading = revive(reply.reading);
      const checks = running.job.checks;
      if ('reading' in reply && checks && reply.reading.message) {
        // The walk is done: the content checks follow, under their own budget.
        clearTimeout(running.timer);
        running.timer = setTimeout(() => this.replace(slot, `did not finish within ${checks.timeoutMs} ms`), checks.timeoutMs);
        return;
      }
      if ('check' in reply && checks && running.results.length < checks.checks.length) return;
      clearTimeout(running.timer);
      slot.running = undefined;
      if ('error' in reply) running.job.resolve(stopped(`the inspection failed: ${reply.error}`));
      else if (running.reading) running.job.resolve(running.job.checks && running.reading.message ? { ...running.reading, checks: { results: running.results } } : running.reading);
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
    slot.running = { id, job, timer, results: [] };
    // A message in a SharedArrayBuffer (as the SMTP side collects it) crosses without a copy; a view into a
    // larger buffer would carry all of it to the worker: send only the message's bytes.
    const raw = job.raw.byteLength === job.raw.buffer.byteLength ? job.raw : Uint8Array.prototype.slice.call(job.raw);
    slot.worker.postMessage({ id, raw, options: job.options, ...(job.checks ? { checks: this.checksRequest(slot, job.checks) } : {}) } satisfies InspectionRequest);
  }

  /** The content checks part of a request: the policy and model in full only to a worker that lacks them. */
  private checksRequest(slot: Slot, checks: ContentCheckJob): NonNullable<InspectionRequest['checks']> {
    const policyKey = this.keyOf(checks.policy);
    const policy = { key: policyKey, version: checks.policy.version, ...(slot.policyKey === policyKey ? {} : { policy: checks.policy.policy }) };
    slot.policyKey = policyKey;
    let model: NonNullable<InspectionRequest['checks']>['model'];
    if (checks.model) {
      const modelKey = this.keyOf(checks.model);
      model = { key: modelKey, ...(slot.modelKey === modelKey ? {} : { model: checks.model }) };
      slot.modelKey = modelKey;
    }
    return { names: checks.checks, envelope: checks.envelope, policy, ...(model ? { model } : {}) };
  }

  private keyOf(value: object): number {
    let key = this.keys.get(value);
    if (key === undefined) {
      key = this.nextKey++;
      this.keys.set(value, key);
    }
    return key;
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
    const checks = running.job.checks;
    if (running.reading && checks) {
      // Stopped in a content check: the reading stands, and so do the checks that finished.
      const check = checks.checks[running.results.length] ?? '';
      this.options.log.warn(`content check ${check} stopped: ${why}; a new worker takes its place`);
      running.job.resolve({ ...running.reading, checks: { results: running.results, stopped: { check, why } } });
    } else {
      this.options.log.warn(`inspection stopped: ${why}; a new worker takes its place`);
      running.job.resolve(stopped(why));
    }
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
