import { bodyView } from '../body/body-view.js';
import { ruleCheck } from '../rules/rule.js';

const IMG_TAG = /<img\b/gi;
const WORD = /[\p{L}\p{N}]+/gu;
// Fewer visible words than this next to an image: the image is the message.
const IMAGE_ONLY_WORDS = 15;
const MAX_COUNTED = 1000;

/**
 * HTML_ONLY: an HTML body with no plain-text alternative (mail clients send both; bulk tools often do not).
 * IMAGE_ONLY: the message says what it says in pictures (an HTML body of images with almost no text, or
 * image attachments and no text at all), which text filters cannot read.
 */
export const bodyShape = ruleCheck('body_shape', (ctx, add) => {
  const { message } = ctx;
  const hasText = message.text.trim() !== '';
  if (message.html.trim() !== '' && !hasText) add('HTML_ONLY', 'text/html without a text/plain part');
  const view = bodyView(message);
  const words = countUpTo(view.text, WORD, IMAGE_ONLY_WORDS);
  if (words >= IMAGE_ONLY_WORDS) return;
  const htmlImages = countUpTo(message.html, IMG_TAG, MAX_COUNTED);
  const attachedImages = message.attachments.filter((a) => a.declaredType.startsWith('image/') || a.detectedType.startsWith('image/')).length;
  const otherAttachments = message.attachments.length - attachedImages;
  if (htmlImages + attachedImages > 0 && otherAttachments === 0) add('IMAGE_ONLY', `${htmlImages + attachedImages} image(s), ${words} word(s) of text`);
});

/** Matches of a global pattern in the text, counting no further than `limit`. */
function countUpTo(text: string, pattern: RegExp, limit: number): number {
  let count = 0;
  for (const _match of text.matchAll(pattern)) if (++count >= limit) break;
  return count;
}
