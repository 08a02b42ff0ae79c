import { decodeWords } from '@moat/content';
import { ruleCheck } from '../rules/rule.js';

const ENCODED_WORD = /=\?([^?\s]{1,40})\?[bq]\?[^?\s]{0,1000}\?=/gi;
const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;
const BASE64 = /^\s*base64\s*$/i;
const PLAIN = /^\s*text\/plain\b/i;
// Short mail has no reason to hide plain ASCII in base64; long mail is left alone (some tools encode all).
const SHORT_TEXT = 5000;

/**
 * Encodings that hide text from filters without need: TEXT_BASE64_SHORT (a short single-part text/plain body
 * in base64 although it is plain ASCII), HEADER_EXCESS_ENCODING (a From or Subject of plain ASCII sent as
 * encoded words), HEADER_MIXED_CHARSETS (one From or Subject mixing encoded words of several charsets).
 */
export const encodingTricks = ruleCheck('encoding_tricks', (ctx, add) => {
  const fields = ctx.message.headerFields;
  const header = (name: string) => fields.find((f) => f.name === name)?.value;
  const type = header('content-type') ?? 'text/plain';
  const encoding = header('content-transfer-encoding') ?? '';
  const { text } = ctx.message;
  if (PLAIN.test(type) && BASE64.test(encoding) && text.length < SHORT_TEXT && PRINTABLE_ASCII.test(text.replace(/[\r\n]/g, ''))) {
    add('TEXT_BASE64_SHORT', `${text.length} characters of ASCII text in base64`);
  }
  for (const name of ['from', 'subject']) {
    const value = header(name)?.slice(0, 2000);
    if (!value?.includes('=?')) continue;
    const charsets = new Set([...value.matchAll(ENCODED_WORD)].map((m) => (m[1] ?? '').toLowerCase().split('*')[0] ?? ''));
    if (charsets.size === 0) continue;
    if (charsets.size > 1) add('HEADER_MIXED_CHARSETS', `${name}: ${[...charsets].join(', ')}`);
    if (PRINTABLE_ASCII.test(decodeWords(value))) add('HEADER_EXCESS_ENCODING', `${name}: plain ASCII sent as encoded words`);
  }
});
