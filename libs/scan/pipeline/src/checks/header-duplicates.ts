import type { StageCheck } from '../check.js';

// RFC 5322 section 3.6: these fields occur at most once. Two From or Subject fields are a classic way to
// show the reader one value while filters and DMARC evaluate the other.
const SINGLE_FIELDS = new Set(['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'in-reply-to', 'references']);
export const HEADER_DUPLICATE_SCORE = 3;

/** Conflicting header fields are a finding in themselves (ambiguous structure is never silently resolved). */
export const headerDuplicates: StageCheck<'data'> = {
  name: 'header_duplicates',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  run(ctx) {
    const counts = new Map<string, number>();
    for (const { name } of ctx.message.headerFields) {
      if (SINGLE_FIELDS.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (const [key, count] of counts) {
      if (count > 1) ctx.results.add('HEADER_DUPLICATE', HEADER_DUPLICATE_SCORE, `${key} appears ${count} times`);
    }
  },
};
