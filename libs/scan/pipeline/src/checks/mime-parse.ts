import type { StageCheck } from '../check.js';
import { MAX_URLS } from '../message/extract-urls.js';

/** Unparsable MIME is scored, not passed: the content checks only saw what came before the failure. */
export const MIME_PARSE_ERROR_SCORE = 5;

/** Reports what the parser could not do: a message it stopped on, or more URLs than it lists. */
export const mimeParse: StageCheck<'data'> = {
  name: 'mime_parse',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  run(ctx) {
    const { message } = ctx;
    if (message.error !== undefined) ctx.results.add('MIME_PARSE_ERROR', MIME_PARSE_ERROR_SCORE, message.error);
    if (message.urlsTruncated) ctx.results.add('URL_LIMIT', 0, `more than ${MAX_URLS} URLs; only the first ${MAX_URLS} were checked`);
  },
};
