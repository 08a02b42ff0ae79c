import { MailParser, type AttachmentStream, type HeaderLines, type Headers, type HeaderValue, type MessageText } from 'mailparser';
import type { AttachmentInfo, SelectedHeaders } from '../types.js';
import { extractUrls } from './extract-urls.js';

/** A message parsed once at end of DATA, shared by every data-stage check. */
export interface ParsedMessage {
  /** The message as received (the caller's buffer, not a copy): for checks that read it whole (attachments, antivirus). */
  raw: Buffer;
  size: number;
  headers: SelectedHeaders;
  /** Raw top-level header lines in order, lower-case keys, folding kept. */
  headerLines: HeaderLines;
  /** The text/plain parts (HTML-only messages have none: HTML is not converted, to keep the hot path cheap). */
  text: string;
  /** The text/html parts, as sent. */
  html: string;
  attachments: AttachmentInfo[];
  urls: string[];
  /** More URLs were present than the list keeps. */
  urlsTruncated: boolean;
  /** Why parsing stopped early, if it did; everything above is what was read before that point. */
  error?: string;
}

/** Header fields of a message that has none (or was refused before its content was read). */
export const NO_HEADERS: Readonly<SelectedHeaders> = Object.freeze({ subject: '', from: '', to: '', messageId: '', date: '', replyTo: '' });

/** Limits against MIME bombs: past them the parser stops and the message is judged on what was read. */
export const PARSE_LIMITS = {
  /** MIME parts in one message. */
  maxParts: 1000,
  /** Bytes in the header block of one part. */
  maxHeadBytes: 1024 * 1024,
} as const;

/** Parses a raw RFC 5322 message. Never rejects: a message that cannot be parsed comes back with `error` set. */
export function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const attachments: AttachmentInfo[] = [];
  let text = '';
  let html = '';
  let parser: MailParser | undefined;

  return new Promise((resolve) => {
    let settled = false;
    const settle = (error?: string): void => {
      if (settled) return;
      settled = true;
      try {
        const headers = parser?.headers || new Map<string, HeaderValue>();
        const headerLines = parser?.headerLines || [];
        const found = extractUrls(text, html);
        resolve({
          raw,
          size: raw.length,
          headers: selectHeaders(headers, headerLines),
          headerLines,
          text,
          html,
          attachments,
          urls: found.urls,
          urlsTruncated: found.truncated,
          ...(error === undefined ? {} : { error }),
        });
      } catch (err) {
        resolve({ raw, size: raw.length, headers: { ...NO_HEADERS }, headerLines: [], text: '', html: '', attachments: [], urls: [], urlsTruncated: false, error: errorText(err) });
      }
    };

    // A throw inside a listener would surface in mailparser's own callbacks, out of reach of the caller:
    // every listener settles the result instead.
    const guarded =
      <A extends unknown[]>(listener: (...args: A) => void) =>
      (...args: A): void => {
        try {
          listener(...args);
        } catch (err) {
          settle(errorText(err));
        }
      };

    try {
      parser = new MailParser({
        checksumAlgo: 'sha256',
        skipHtmlToText: true,
        skipTextToHtml: true,
        skipImageLinks: true,
        maxChildNodes: PARSE_LIMITS.maxParts,
        maxHeadSize: PARSE_LIMITS.maxHeadBytes,
      });
      parser.on(
        'data',
        guarded((part: AttachmentStream | MessageText) => {
          if (part.type === 'text') {
            text = part.text ?? '';
            html = part.html ?? '';
            return;
          }
          // Draining the content is what computes the attachment's size and sha256 (mailparser hashes as it flows).
          part.content.on(
            'end',
            guarded(() => {
              attachments.push(describeAttachment(part));
              part.release?.();
            }),
          );
          part.content.resume();
        }),
      );
      parser.on('end', guarded(() => settle()));
      parser.on('error', (err: Error) => settle(err.message));
      parser.end(raw);
    } catch (err) {
      settle(errorText(err));
    }
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeAttachment(part: AttachmentStream): AttachmentInfo {
  const contentType = part.headers.get('content-type');
  const declared = contentType && typeof contentType === 'object' && 'value' in contentType && typeof contentType.value === 'string' ? contentType.value : part.contentType;
  return {
    name: part.filename ?? '',
    declaredType: declared.toLowerCase(),
    // Content sniffing (magic numbers) belongs to the attachment stage, which fills this in.
    detectedType: '',
    size: part.size ?? 0,
    sha256: part.checksum ?? '',
  };
}

function selectHeaders(headers: Headers, lines: HeaderLines): SelectedHeaders {
  return {
    subject: textOf(headers.get('subject')),
    from: textOf(headers.get('from')),
    to: textOf(headers.get('to')),
    messageId: textOf(headers.get('message-id')),
    // mailparser turns an unparsable Date into "now"; the raw value is the honest one.
    date: rawHeaderValue(lines, 'date'),
    replyTo: textOf(headers.get('reply-to')),
  };
}

function textOf(value: HeaderValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => textOf(v)).join(', ');
  if (value instanceof Date) return value.toISOString();
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('value' in value && typeof value.value === 'string') return value.value;
  return '';
}

const UNFOLD = /\r?\n[ \t]+/g;

function rawHeaderValue(lines: HeaderLines, key: string): string {
  const line = lines.find((l) => l.key === key)?.line;
  if (line === undefined) return '';
  return line.slice(line.indexOf(':') + 1).replace(UNFOLD, ' ').trim();
}
