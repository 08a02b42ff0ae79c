import { decodeBytes, decodeUndeclared } from './charset.js';
import { decodeQuotedPrintable } from './transfer-encoding.js';

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
// Whitespace between two adjacent encoded words is not part of the text (RFC 2047 section 6.2).
const BETWEEN_ENCODED_WORDS = /(\?=)\s+(?==\?)/g;

/**
 * Decodes a raw header value (read as latin1, one char per byte): raw 8-bit bytes are taken as UTF-8 or the
 * message's charset, and RFC 2047 encoded words are decoded in their own charset.
 */
export function decodeHeaderValue(raw: string, fallbackCharset?: string): string {
  // eslint-disable-next-line no-control-regex
  const text = /[^\x00-\x7f]/.test(raw) ? decodeUndeclared(Buffer.from(raw, 'latin1'), fallbackCharset) : raw;
  if (!text.includes('=?')) return text;
  return text.replace(BETWEEN_ENCODED_WORDS, '$1').replace(ENCODED_WORD, (_m, charset: string, enc: string, data: string) => {
    // RFC 2231 language suffix: charset*lang.
    const cs = charset.split('*')[0];
    const bytes = enc === 'b' || enc === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data.replace(/_/g, ' '));
    return decodeBytes(bytes, cs);
  });
}
