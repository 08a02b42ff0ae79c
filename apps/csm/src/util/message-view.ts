import PostalMime, { type Address } from 'postal-mime';

/** A kept message read for mail tracking: its parts as text, never served as HTML. */
export interface MessageView {
  subject: string;
  from: string;
  to: string;
  date: string;
  /** The text/plain body. */
  text: string;
  /** The text/html body's source, as a string the console shows as text (the CSM never renders it). */
  html: string;
  attachments: { name: string; type: string; size: number }[];
}

/** Parser limits well under postal-mime's defaults: a kept message is at most the node's size limit. */
const LIMITS = { maxNestingDepth: 50, maxPartCount: 2000, maxHeadersSize: 1024 * 1024, maxRfc822NestingDepth: 3, attachmentEncoding: 'arraybuffer' } as const;

/** Reads a raw message into its parts; throws with the parser's reason when it cannot be read. */
export async function messageView(raw: Buffer): Promise<MessageView> {
  const email = await PostalMime.parse(raw, LIMITS);
  return {
    subject: email.subject ?? '',
    from: email.from ? addressText([email.from]) : '',
    to: addressText(email.to ?? []),
    date: email.date ?? '',
    text: email.text ?? '',
    html: email.html ?? '',
    attachments: email.attachments.map((a) => ({ name: a.filename ?? '', type: a.mimeType, size: typeof a.content === 'string' ? a.content.length : a.content.byteLength })),
  };
}

function addressText(addresses: readonly Address[]): string {
  return addresses
    .flatMap((a) => (a.group ? a.group : [a]))
    .map((m) => (m.name ? `${m.name} <${m.address}>` : m.address))
    .join(', ');
}
