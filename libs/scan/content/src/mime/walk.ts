import type { Finding } from '../findings.js';
import { DEFAULT_MIME_LIMITS, type MimeLimits } from '../limits.js';
import { readTnef, isTnef } from '../tnef/tnef.js';
import { readContentHeaders, type ContentHeaders } from './content-headers.js';
import { readHeaderBlock, type HeaderField } from './header-block.js';
import { suspiciousFiller } from './preamble.js';
import { decodeTransfer } from './transfer-encoding.js';
import { decodeUuencoded } from './uuencode.js';

/** One leaf of the MIME tree, decoded: a body, an attachment, a uuencoded file or a file from winmail.dat. */
export interface MimeLeaf {
  /** Part number (1.2.1), then names inside containers, joined by `/`. */
  path: string;
  /** Declared type, lower case. */
  contentType: string;
  disposition: 'inline' | 'attachment' | '';
  /** The name a mail client shows; '' for bodies without one. */
  filename: string;
  /** Every name the headers give (name= and filename= may disagree: all are checked). */
  names: string[];
  /** The declared charset= of the part, lower case; '' when none. */
  charset: string;
  content: Buffer;
  source: 'part' | 'uuencode' | 'tnef';
}

/** The result of walking one message: every leaf, every structural finding, and whether the walk finished. */
export interface MimeWalk {
  /** The message's own header fields (not those of its parts or attached messages). */
  headers: HeaderField[];
  /** Offset of the message's body: its header block is `raw[0, headerEnd)`. */
  headerEnd: number;
  leaves: MimeLeaf[];
  findings: Finding[];
  /** False when a limit or a damaged structure left part of the message unread. */
  complete: boolean;
  parts: number;
}

interface WalkState {
  buf: Buffer;
  limits: MimeLimits;
  walk: MimeWalk;
  stopped: boolean;
}

/**
 * Walks a raw message (RFC 5322 + MIME) iteratively over one buffer: no copies of the message, no recursion
 * deeper than `maxDepth`, and at most `maxParts` parts. Never throws: what it cannot read becomes a finding.
 */
export function walkMime(raw: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimeWalk {
  const walk: MimeWalk = { headers: [], headerEnd: 0, leaves: [], findings: [], complete: true, parts: 0 };
  const state: WalkState = { buf: raw, limits, walk, stopped: false };
  if (raw.length > limits.maxMessageBytes) {
    stop(state, '', `message larger than ${limits.maxMessageBytes} bytes; only the first ${limits.maxMessageBytes} were walked`);
    state.stopped = false;
    state.buf = raw.subarray(0, limits.maxMessageBytes);
  }
  walkEntity(state, 0, state.buf.length, '', 0, 'text/plain');
  return walk;
}

function walkEntity(state: WalkState, start: number, end: number, path: string, depth: number, defaultType: string): void {
  if (state.stopped) return;
  const { walk, limits, buf } = state;
  if (++walk.parts > limits.maxParts) return stop(state, path, `more than ${limits.maxParts} MIME parts`);
  if (depth > limits.maxDepth) return stop(state, path, `MIME nesting deeper than ${limits.maxDepth}`);

  const block = readHeaderBlock(buf, start, end, limits);
  if (depth === 0) {
    walk.headers = block.fields;
    walk.headerEnd = block.bodyStart;
  }
  const at = path || '1';
  if (block.limit) stop(state, at, block.limit);
  if (block.bareEol) add(walk, 'MIME_BARE_EOL', 'bare CR or mixed CRLF/LF line endings in a header block', at);
  const headers = readContentHeaders(block, defaultType);
  for (const name of headers.duplicated) add(walk, 'MIME_DUPLICATE_HEADER', `${name} given more than once`, at);
  if (headers.duplicateBoundary) add(walk, 'MIME_DUPLICATE_BOUNDARY', 'Content-Type gives boundary= more than once', at);
  if (headers.names.length > 1) add(walk, 'MIME_NAME_CONFLICT', `names disagree: ${headers.names.map((n) => JSON.stringify(n)).join(' vs ')}`, at);
  if (state.stopped) return;

  const bodyStart = block.bodyStart;
  if (headers.type.startsWith('multipart/')) {
    if (headers.boundary) return walkMultipart(state, bodyStart, end, path, depth, headers);
    add(walk, 'MIME_UNTERMINATED', `${headers.type} without a boundary parameter; read as a single part`, at);
  }
  const decoded = decodeTransfer(buf.subarray(bodyStart, end), headers.encoding);
  if (decoded.error) add(walk, 'MIME_BAD_ENCODING', decoded.error, at);

  if (headers.type === 'message/rfc822' || headers.type === 'message/global') {
    // The embedded message is walked as a message of its own (with its own buffer when it was encoded).
    const inner: WalkState = { buf: decoded.content, limits, walk, stopped: false };
    walkEntity(inner, 0, decoded.content.length, `${at}`, depth + 1, 'text/plain');
    walk.parts--;
    if (inner.stopped) state.stopped = true;
    return;
  }
  addLeaf(state, at, withUuencodedName(walk, at, headers, decoded.name), decoded.content);
}

/** Adds the begin-line name of a uuencoded body to the names the policy checks; a different header name is a conflict. */
function withUuencodedName(walk: MimeWalk, at: string, headers: ContentHeaders, name: string | undefined): ContentHeaders {
  if (!name || headers.names.includes(name)) return headers;
  if (headers.names.length) add(walk, 'MIME_NAME_CONFLICT', `names disagree: ${[...headers.names, name].map((n) => JSON.stringify(n)).join(' vs ')} (uuencode begin line)`, at);
  return { ...headers, filename: headers.filename || name, names: [...headers.names, name] };
}

function walkMultipart(state: WalkState, start: number, end: number, path: string, depth: number, headers: ContentHeaders): void {
  const { buf, walk } = state;
  const at = path || '1';
  const delimiter = Buffer.from(`--${headers.boundary}`, 'latin1');
  const childDefault = headers.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
  let pos = start;
  let partStart = -1;
  let index = 0;
  let closed = false;
  let preambleEnd = -1;
  for (;;) {
    const hit = findDelimiter(buf, delimiter, pos, end);
    if (hit === undefined) break;
    if (partStart === -1) {
      preambleEnd = hit.lineStart;
      checkFiller(state, start, preambleEnd, at, 'preamble');
    } else walkEntity(state, partStart, hit.lineStart, path ? `${path}.${++index}` : `${++index}`, depth + 1, childDefault);
    if (state.stopped) return;
    if (hit.closing) {
      closed = true;
      checkFiller(state, hit.next, end, at, 'epilogue');
      return;
    }
    partStart = hit.next;
    pos = hit.next;
  }
  if (preambleEnd === -1) {
    add(walk, 'MIME_UNTERMINATED', `no ${headers.type} boundary found; read as a single part`, at);
    addLeaf(state, at, { ...headers, type: 'text/plain' }, decodeTransfer(buf.subarray(start, end), headers.encoding).content);
    return;
  }
  if (!closed) {
    add(walk, 'MIME_UNTERMINATED', `${headers.type} has no closing boundary`, at);
    if (partStart < end) walkEntity(state, partStart, end, path ? `${path}.${++index}` : `${++index}`, depth + 1, childDefault);
  }
}

interface DelimiterHit {
  /** Start of the CRLF (or LF) before the delimiter: where the previous part ends. */
  lineStart: number;
  /** First byte after the delimiter line. */
  next: number;
  closing: boolean;
}

/** The next line that is `--boundary` or `--boundary--`, optionally followed by whitespace (RFC 2046 5.1.1). */
function findDelimiter(buf: Buffer, delimiter: Buffer, from: number, end: number): DelimiterHit | undefined {
  let pos = from;
  while (pos < end) {
    const at = buf.indexOf(delimiter, pos);
    if (at === -1 || at + delimiter.length > end) return undefined;
    pos = at + 1;
    if (at !== from && buf[at - 1] !== 0x0a) continue;
    let i = at + delimiter.length;
    const closing = buf[i] === 0x2d && buf[i + 1] === 0x2d;
    if (closing) i += 2;
    while (i < end && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0d)) i++;
    if (i < end && buf[i] !== 0x0a) continue;
    let lineStart = at;
    if (lineStart > from && buf[lineStart - 1] === 0x0a) lineStart--;
    if (lineStart > from && buf[lineStart - 1] === 0x0d) lineStart--;
    return { lineStart, next: Math.min(i + 1, end), closing };
  }
  return undefined;
}

function checkFiller(state: WalkState, start: number, end: number, at: string, where: 'preamble' | 'epilogue'): void {
  if (end <= start) return;
  const filler = state.buf.subarray(start, end);
  const why = suspiciousFiller(filler);
  if (why) add(state.walk, 'MIME_PREAMBLE_CONTENT', `${where} ${why}`, at);
  for (const block of decodeUuencoded(filler)) pushLeaf(state, `${at}/${where}/${block.name}`, 'application/octet-stream', block.name, [block.name], block.content, 'uuencode');
}

function addLeaf(state: WalkState, at: string, headers: ContentHeaders, content: Buffer): void {
  pushLeaf(state, at, headers.type, headers.filename, headers.names, content, 'part', headers.disposition, headers.charset?.toLowerCase() ?? '');
  if (headers.type.startsWith('text/')) {
    for (const block of decodeUuencoded(content)) pushLeaf(state, `${at}/${block.name}`, 'application/octet-stream', block.name, [block.name], block.content, 'uuencode');
  }
  if (isTnef(content)) {
    const tnef = readTnef(content, state.limits.maxMessageBytes);
    if (tnef.error) add(state.walk, 'TNEF_ERROR', tnef.error, at);
    for (const file of tnef.files) pushLeaf(state, `${at}/${file.name}`, 'application/octet-stream', file.name, [file.name], file.content, 'tnef');
  }
}

function pushLeaf(state: WalkState, path: string, contentType: string, filename: string, names: string[], content: Buffer, source: MimeLeaf['source'], disposition: MimeLeaf['disposition'] = 'attachment', charset = ''): void {
  state.walk.leaves.push({ path, contentType, disposition, filename, names, charset, content, source });
}

function stop(state: WalkState, path: string, detail: string): void {
  add(state.walk, 'MIME_LIMIT', detail, path || '1');
  state.walk.complete = false;
  state.stopped = true;
}

function add(walk: MimeWalk, symbol: Finding['symbol'], detail: string, path: string): void {
  walk.findings.push({ symbol, detail, path });
}
