import type { MessageContent } from '../message/parse-message.js';
import { bodyView } from './body-view.js';
import { fingerprintText } from './fingerprint.js';

export interface MessageChecksums {
  /** Fuzzy text bands (see fingerprint.ts); empty for texts shorter than `minWords`. */
  text: string[];
  /** Exact hashes of the attachments and inline images, "a-<sha256>". */
  attachments: string[];
}

/** The checksums the bulk network counts for a message. */
export function messageChecksums(message: MessageContent, minWords: number): MessageChecksums {
  const text = fingerprintText(bodyView(message).text, minWords).bands;
  const attachments = [...new Set(message.attachments.filter((a) => a.sha256 !== '' && a.size > 0).map((a) => `a-${a.sha256}`))];
  return { text, attachments };
}
