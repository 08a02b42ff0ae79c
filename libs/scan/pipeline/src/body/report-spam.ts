import { parseMessage } from '../message/parse-message.js';
import type { FuzzyStore } from './fuzzy-store.js';
import { messageChecksums } from './message-checksums.js';

/**
 * Admin "report spam": puts the message's fuzzy text checksums on the fleet-wide deny list, so that it and
 * its per-recipient variants fire FUZZY_DENIED on every node. A message with too little text is denied by
 * its attachment and image hashes instead (image-only spam). Returns the checksums it denied.
 */
export async function reportSpam(store: FuzzyStore, raw: Buffer, reason: string, minWords = 20): Promise<string[]> {
  const sums = messageChecksums(parseMessage(raw), minWords);
  const denied = sums.text.length > 0 ? sums.text : sums.attachments;
  if (denied.length === 0) throw new Error('the message has neither enough text nor an attachment to recognise it by');
  await store.deny(denied, reason);
  return denied;
}
