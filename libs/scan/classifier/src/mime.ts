import { decodeBytes } from './charset.js';
import { decodeHeaderValue } from './encoded-words.js';
import { decodeTransferEncoding } from './transfer-encoding.js';
import { isUntrustedHeader, isFilterReport } from './untrusted.js';

/** One header field: lower-case name and unfolded, decoded value. */
export interface HeaderField {
  name: string;
  value: string;
}

export interface AttachmentPart {
  /** File name as declared (decoded), or '' when none. */
  name: string;
  contentType: string;
  /** Decoded size in bytes (estimated from the encoded length). */
  size: number;
}

/** What the tokeniser needs from a message: trusted headers, decoded text, HTML and attachment facts. */
export interface ParsedMessage {
  headers: HeaderField[];
  /** Decoded text/plain bodies, in order, including those of attached messages. */
  texts: string[];
  /** Decoded text/html bodies. */
  htmls: string[];
  attachments: AttachmentPart[];
  /** The media type of every part, in order (multipart containers included). */
  partTypes: string[];
  /** Declared charsets of the text parts, lower case. */
  charsets: string[];
  /** Subjects of attached messages (message/rfc822), decoded. */
  innerSubjects: string[];
  /** Number of untrusted verdict headers and filter reports that were removed before anything else read them. */
  strippedVerdicts: number;
}

interface ContentType {
  type: string;
  params: Map<string, string>;
}

// Bounds that keep the CPU cost of one message small whatever it contains.
const MAX_DEPTH = 8;
const MAX_PARTS = 64;
const MAX_TEXT_BYTES = 256 * 1024;

/** Parses a raw RFC 822 message; never throws on malformed input (it reads what it can). */
export function parseMessage(raw: Buffer): ParsedMessage {
  const out: ParsedMessage = { headers: [], texts: [], htmls: [], attachments: [], partTypes: [], charsets: [], innerSubjects: [], strippedVerdicts: 0 };
  const state = { parts: 0 };
  const { headers, body } = splitEntity(raw.toString('latin1'));
  const topCharset = contentTypeOf(headers).params.get('charset');
  out.headers = decodeHeaders(headers, topCharset, out);
  walkEntity(headers, body, out, state, 0);
  return out;
}

/** Splits an entity into raw header lines (unfolded, latin1) and its body. */
function splitEntity(text: string): { headers: [string, string][]; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : '';
  const headers: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      headers[headers.length - 1][1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { headers, body };
}

function decodeHeaders(raw: [string, string][], charset: string | undefined, out: ParsedMessage): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const [name, value] of raw) {
    if (isUntrustedHeader(name)) {
      out.strippedVerdicts++;
      continue;
    }
    fields.push({ name, value: decodeHeaderValue(value, charset) });
  }
  return fields;
}

function headerValue(headers: [string, string][], name: string): string {
  return headers.find((h) => h[0] === name)?.[1] ?? '';
}

/** Parses Content-Type (or Content-Disposition) into a lower-case type and its parameters (RFC 2231 lite). */
export function parseParams(value: string): ContentType {
  const [first, ...rest] = splitParams(value);
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    let key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    // RFC 2231: name*=charset'lang'percent-encoded, continuations name*0*, name*1*.
    const ext = /^(.+?)(\*\d+)?\*$/.exec(key);
    if (ext) {
      key = ext[1];
      const q = /^([^']*)'[^']*'(.*)$/.exec(v);
      v = q ? decodeBytes(Buffer.from(decodeURIComponentBytes(q[2]), 'latin1'), q[1] || undefined) : decodeURIComponentBytes(v);
    } else {
      key = key.replace(/\*\d+$/, '');
    }
    params.set(key, (params.get(key) ?? '') + v);
  }
  return { type: (first ?? '').trim().toLowerCase(), params };
}

function decodeURIComponentBytes(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Splits on ";" outside quotes. */
function splitParams(value: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (c === ';' && !quoted) {
      parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

function contentTypeOf(headers: [string, string][]): ContentType {
  const ct = parseParams(headerValue(headers, 'content-type'));
  if (!ct.type.includes('/')) ct.type = 'text/plain';
  return ct;
}

function walkEntity(headers: [string, string][], body: string, out: ParsedMessage, state: { parts: number }, depth: number): void {
  if (depth > MAX_DEPTH || state.parts >= MAX_PARTS) return;
  state.parts++;
  const ct = contentTypeOf(headers);
  out.partTypes.push(ct.type);
  const disposition = parseParams(headerValue(headers, 'content-disposition'));
  const encoding = headerValue(headers, 'content-transfer-encoding');

  if (ct.type.startsWith('multipart/')) {
    const boundary = ct.params.get('boundary');
    if (!boundary) return walkLeaf(ct, disposition, encoding, body, out);
    for (const child of splitMultipart(body, boundary)) {
      const entity = splitEntity(child);
      walkEntity(entity.headers, entity.body, out, state, depth + 1);
    }
    return;
  }
  if (ct.type === 'message/rfc822') {
    const inner = splitEntity(body);
    const subject = inner.headers.find((h) => h[0] === 'subject');
    if (subject) out.innerSubjects.push(decodeHeaderValue(subject[1], contentTypeOf(inner.headers).params.get('charset')));
    walkEntity(inner.headers, inner.body, out, state, depth + 1);
    return;
  }
  walkLeaf(ct, disposition, encoding, body, out);
}

function walkLeaf(ct: ContentType, disposition: ContentType, encoding: string, body: string, out: ParsedMessage): void {
  const name = disposition.params.get('filename') ?? ct.params.get('name') ?? '';
  const isText = ct.type === 'text/plain' || ct.type === 'text/html';
  if (!isText || disposition.type === 'attachment') {
    const base64 = encoding.trim().toLowerCase() === 'base64';
    out.attachments.push({
      name: name ? decodeHeaderValue(name) : '',
      contentType: ct.type,
      size: base64 ? Math.floor((body.replace(/\s+/g, '').length * 3) / 4) : body.length,
    });
    if (!isText) return;
  }
  const charset = ct.params.get('charset');
  if (charset) out.charsets.push(charset.toLowerCase());
  const bytes = decodeTransferEncoding(body.length > MAX_TEXT_BYTES * 2 ? body.slice(0, MAX_TEXT_BYTES * 2) : body, encoding);
  const text = decodeBytes(bytes.subarray(0, MAX_TEXT_BYTES), charset);
  // A report that another filter put in place of (or on top of) the message speaks for that filter's verdict.
  if (isFilterReport(text)) {
    out.strippedVerdicts++;
    return;
  }
  if (ct.type === 'text/html') out.htmls.push(text);
  else out.texts.push(text);
}

/** The bodies between the boundary lines of a multipart body (preamble and epilogue dropped). */
function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = '--' + boundary;
  const parts: string[] = [];
  let start = -1;
  let pos = 0;
  while (pos <= body.length) {
    const idx = body.indexOf(delimiter, pos);
    if (idx < 0) break;
    const atLineStart = idx === 0 || body[idx - 1] === '\n';
    const lineEnd = body.indexOf('\n', idx);
    const next = lineEnd < 0 ? body.length : lineEnd + 1;
    if (!atLineStart) {
      pos = idx + delimiter.length;
      continue;
    }
    if (start >= 0) parts.push(body.slice(start, idx > 0 && body[idx - 2] === '\r' ? idx - 2 : Math.max(start, idx - 1)));
    if (body.startsWith('--', idx + delimiter.length)) return parts;
    start = next;
    pos = next;
  }
  // No closing delimiter: the last part runs to the end.
  if (start >= 0 && start < body.length) parts.push(body.slice(start));
  return parts;
}
