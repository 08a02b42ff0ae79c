import type { MessageContent } from '../message/parse-message.js';
import { readHtml, type HtmlAnchor } from './html.js';

/** What the body checks read, worked out once per message whichever check asks first. */
export interface BodyView {
  /** The plain text, or the HTML's visible text when there is no plain part: what a reader sees. */
  text: string;
  /** Every distinct text to search for wording: the plain part and the HTML's visible text. */
  texts: string[];
  anchors: HtmlAnchor[];
}

// Longer bodies are judged on their start: spam puts its message up front, and the cap bounds CPU.
const MAX_TEXT_CHARS = 256 * 1024;
const views = new WeakMap<MessageContent, BodyView>();

export function bodyView(message: MessageContent): BodyView {
  let view = views.get(message);
  if (!view) {
    const html = message.html ? readHtml(message.html.slice(0, 4 * MAX_TEXT_CHARS)) : { text: '', anchors: [] };
    const plain = message.text.slice(0, MAX_TEXT_CHARS);
    const htmlText = html.text.slice(0, MAX_TEXT_CHARS);
    const texts = [...new Set([plain, htmlText].filter((t) => t.trim() !== ''))];
    view = { text: plain.trim() !== '' ? plain : htmlText, texts, anchors: html.anchors };
    views.set(message, view);
  }
  return view;
}
