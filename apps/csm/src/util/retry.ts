import type { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from './errors.js';

/**
 * Runs TASK until it succeeds or SIGNAL aborts, waiting between attempts (1 s doubling to 30 s). Used for the
 * start-up work that needs NATS or ClickHouse, so the CSM serves what it can while they are down.
 */
export async function retryUntilDone(name: string, task: () => Promise<void>, signal: AbortSignal, logger: Logger): Promise<void> {
  let delayMs = 1000;
  while (!signal.aborted) {
    try {
      await task();
      return;
    } catch (err) {
      if (signal.aborted) return;
      logger.warn(`${name} failed, retrying in ${delayMs / 1000} s: ${errorMessage(err)}`);
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
      delayMs = Math.min(delayMs * 2, 30_000);
    }
  }
}
