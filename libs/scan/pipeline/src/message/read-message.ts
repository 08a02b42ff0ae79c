import { inspectMessage, mimeLimitsOf, walkMime, type ContentReport, type InspectOptions } from '@moat/content';
import type { ContentCheckOutcome } from '../content-checks.js';
import { parseMessage, type MessageContent } from './parse-message.js';

/** A message read at end of DATA: what the data checks read of it, and stage 2's inspection of every file in it. */
export interface MessageReading {
  /** Absent when the reading was stopped (time or memory budget): the report then says why. */
  message?: MessageContent;
  report: ContentReport;
  /** The content checks the reader ran on the message, when it was asked to (ScanOptions.reader). */
  checks?: ContentCheckOutcome;
}

/**
 * One MIME walk serves both the message's text, headers and attachment list and stage 2's inspection. The
 * scan node runs this on its worker threads (hostile MIME never stalls its event loop); `moat scan` runs it here.
 */
export async function readMessage(raw: Buffer, options: InspectOptions): Promise<MessageReading> {
  const walk = walkMime(raw, mimeLimitsOf(options));
  const report = await inspectMessage(raw, options, walk);
  const leaves = new Map(report.files.filter((f) => f.depth === 0).map((f) => [f.path, f]));
  return { message: parseMessage(raw, walk, leaves), report };
}
