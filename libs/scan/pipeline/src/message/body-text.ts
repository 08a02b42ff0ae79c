import { htmlToText } from '@moat/classifier';
import type { MessageContent } from './parse-message.js';

/** How much of a message's text mail tracking keeps for its body search (characters). */
export const BODY_TEXT_MAX = 16_384;

/** The start of a message's text for the body search: the text/plain parts, else the HTML's visible text, whitespace collapsed. */
export function bodyText(message: Pick<MessageContent, 'text' | 'html'>): string {
  const source = message.text.trim() ? message.text : htmlToText(message.html.slice(0, 4 * BODY_TEXT_MAX)).text;
  return source.slice(0, 2 * BODY_TEXT_MAX).replace(/\s+/g, ' ').trim().slice(0, BODY_TEXT_MAX);
}
