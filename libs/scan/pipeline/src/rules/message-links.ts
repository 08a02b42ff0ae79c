import type { ContentReport } from '@moat/content';
import type { MessageContent } from '../message/parse-message.js';
import { messageQrCodes } from './qr-codes.js';

const HTTP_URL = /^https?:\/\//i;

/** The message's links for the link rules: the URLs of its text and HTML, then those of its QR codes. */
export function messageLinks(message: MessageContent, content: ContentReport): string[] {
  const fromQr = messageQrCodes(content)
    .map((code) => code.text.trim())
    .filter((text) => HTTP_URL.test(text) && !message.urls.includes(text));
  return fromQr.length > 0 ? [...message.urls, ...fromQr] : message.urls;
}
