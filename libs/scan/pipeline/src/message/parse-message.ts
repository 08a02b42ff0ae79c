import { createHash } from 'node:crypto';
import { decodeBytes } from '@moat/classifier';
import { decodeWords, DEFAULT_MIME_LIMITS, readHeaderBlock, walkMime, type HeaderField, type InspectedFile, type MimeLeaf, type MimeWalk } from '@moat/content';
import type { AttachmentInfo, SelectedHeaders } from '../types.js';
import { extractUrls } from './extract-urls.js';

/** What the data-stage checks read of a message: everything but the raw bytes, so it can cross threads. */
export interface MessageContent {
  size: number;
  headers: SelectedHeaders;
  /** The message's own header fields in order: lower-case names, values unfolded (encoded words left as sent). */
  headerFields: HeaderField[];
  /** The text/plain bodies (not attachments), decoded, joined by a blank line. */
  text: string;
  /** The text/html bodies, decoded, as sent otherwise. */
  html: string;
  attachments: AttachmentInfo[];
  urls: string[];
  /** More URLs were present than the list keeps. */
  urlsTruncated: boolean;
  /** Why reading stopped early, if it did; everything above is what was read before that point. */
  error?: string;
}

/** A message read once at end of DATA, shared by every data-stage check. */
export interface ParsedMessage extends MessageContent {
  /** The message as received (the caller's buffer, not a copy): for checks that read it whole (antivirus). */
  raw: Buffer;
}

/** Header fields of a message that has none (or was refused before its content was read). */
export const NO_HEADERS: Readonly<SelectedHeaders> = Object.freeze({ subject: '', from: '', to: '', messageId: '', date: '', replyTo: '' });

/**
 * Reads a raw RFC 5322 message from its MIME walk (one pass over one buffer, shared with stage 2's
 * inspection). Never throws: what cannot be read is left out and `error` says why. `inspected` gives what
 * the inspection found of each leaf (by path), so that no attachment is hashed twice.
 */
export function parseMessage(raw: Buffer, walk: MimeWalk = walkMime(raw), inspected?: ReadonlyMap<string, InspectedFile>): MessageContent {
  const texts: string[] = [];
  const htmls: string[] = [];
  const attachments: AttachmentInfo[] = [];
  for (const leaf of walk.leaves) {
    if (isBody(leaf, 'text/plain')) texts.push(decodeBytes(leaf.content, leaf.charset || undefined));
    else if (isBody(leaf, 'text/html')) htmls.push(decodeBytes(leaf.content, leaf.charset || undefined));
    else attachments.push(describeAttachment(leaf, inspected?.get(leaf.path)));
  }
  const text = texts.join('\n\n');
  const html = htmls.join('\n');
  const found = extractUrls(text, html);
  const limit = walk.complete ? undefined : walk.findings.find((f) => f.symbol === 'MIME_LIMIT');
  return {
    size: raw.length,
    headers: selectHeaders(walk.headers),
    headerFields: walk.headers,
    text,
    html,
    attachments,
    urls: found.urls,
    urlsTruncated: found.truncated,
    ...(limit ? { error: limit.detail } : {}),
  };
}

/** What a message whose content could not be read still shows: its own header fields (bounded), nothing else. */
export function headersOnly(raw: Buffer, error: string): MessageContent {
  const fields = readHeaderBlock(raw, 0, raw.length, DEFAULT_MIME_LIMITS).fields;
  return { size: raw.length, headers: selectHeaders(fields), headerFields: fields, text: '', html: '', attachments: [], urls: [], urlsTruncated: false, error };
}

/** A body a mail client shows as the message text: a text part that is not an attachment. */
function isBody(leaf: MimeLeaf, type: string): boolean {
  return leaf.contentType === type && leaf.source === 'part' && leaf.disposition !== 'attachment' && leaf.filename === '';
}

function describeAttachment(leaf: MimeLeaf, inspected: InspectedFile | undefined): AttachmentInfo {
  return {
    name: leaf.filename,
    declaredType: leaf.contentType,
    // The true type comes from stage 2's content sniffing; without an inspection it stays unknown.
    detectedType: inspected?.type.mime ?? '',
    size: leaf.content.length,
    sha256: inspected?.sha256 ?? createHash('sha256').update(leaf.content).digest('hex'),
  };
}

function selectHeaders(fields: readonly HeaderField[]): SelectedHeaders {
  const values = (name: string): string[] => fields.filter((f) => f.name === name).map((f) => decodeWords(f.value));
  return {
    subject: values('subject')[0] ?? '',
    from: values('from')[0] ?? '',
    to: values('to').join(', '),
    messageId: values('message-id')[0] ?? '',
    date: fields.find((f) => f.name === 'date')?.value ?? '',
    replyTo: values('reply-to')[0] ?? '',
  };
}
