import { readFile } from 'node:fs/promises';
import type { Logger } from '../log.js';

/** The time the delivery hold windows are judged by. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const POLL_MS = 200;

/**
 * Tests only (MOAT_TEST_CLOCK=1 with MOAT_CLOCK_FILE): the time written in a file (epoch milliseconds or an ISO
 * 8601 timestamp), read every 200 ms; the system time while the file is missing or unreadable.
 */
export class FileClock implements Clock {
  private fileMs: number | undefined;
  private readonly timer: NodeJS.Timeout;
  private warned = false;

  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.read(), POLL_MS);
    this.timer.unref();
  }

  now(): number {
    return this.fileMs ?? Date.now();
  }

  /** Reads the file now (also called every 200 ms). */
  async read(): Promise<void> {
    let text: string;
    try {
      text = (await readFile(this.file, 'utf8')).trim();
    } catch {
      this.fileMs = undefined;
      return;
    }
    const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
    if (Number.isFinite(ms)) {
      this.fileMs = ms;
      this.warned = false;
    } else if (!this.warned) {
      this.warned = true;
      this.log.warn(`test clock ${this.file}: ${JSON.stringify(text.slice(0, 40))} is not a time; keeping ${new Date(this.now()).toISOString()}`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
