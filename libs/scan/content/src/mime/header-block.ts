import type { MimeLimits } from '../limits.js';

/** One unfolded header field; `name` lower case. */
export interface HeaderField {
  name: string;
  value: string;
}

/** A part's header block, where its body starts, and what was odd about it. */
export interface HeaderBlock {
  fields: HeaderField[];
  /** Offset (absolute in the buffer) of the first body byte. */
  bodyStart: number;
  /** A limit that cut the block short, with its description. */
  limit?: string;
  /** A bare CR, or CRLF and bare LF mixed in the block. */
  bareEol: boolean;
}

const FIELD = /^([!-9;-~]+)[ \t]*:/;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads the header block of the entity in `buf[start, end)`. The block ends at the first empty line, or at
 * the first line that is neither a field nor a continuation (then that line is body: some senders omit the
 * blank line). A leading mbox `From ` line is skipped. Limits keep a hostile block from costing more than
 * `maxHeaderBytes` of work.
 */
export function readHeaderBlock(buf: Buffer, start: number, end: number, limits: MimeLimits): HeaderBlock {
  const fields: HeaderField[] = [];
  let crlf = 0;
  let bareLf = 0;
  let bareCr = false;
  let limit: string | undefined;
  let pos = start;
  let current: { name: string; parts: string[]; bytes: number } | undefined;

  const flush = (): void => {
    if (current) fields.push({ name: current.name, value: current.parts.join(' ').trim() });
    current = undefined;
  };

  if (buf.subarray(start, Math.min(end, start + 5)).toString('latin1') === 'From ') pos = lineEnd(buf, start, end).next;

  while (pos < end) {
    if (pos - start > limits.maxHeaderBytes) {
      limit = `header block larger than ${limits.maxHeaderBytes} bytes`;
      pos = skipPastBlankLine(buf, pos, end);
      break;
    }
    const { stop, next } = lineEnd(buf, pos, end);
    let contentEnd = stop;
    if (stop < end) {
      if (contentEnd > pos && buf[contentEnd - 1] === CR) {
        contentEnd--;
        crlf++;
      } else bareLf++;
    }
    if (buf.subarray(pos, contentEnd).includes(CR)) bareCr = true;
    if (contentEnd === pos) {
      pos = next;
      break;
    }
    const lineBytes = contentEnd - pos;
    const first = buf[pos];
    if ((first === 0x20 || first === 0x09) && current) {
      current.bytes += lineBytes;
      if (current.bytes > limits.maxHeaderLineBytes) limit ??= `header field ${current.name} longer than ${limits.maxHeaderLineBytes} bytes`;
      else current.parts.push(buf.toString('utf8', pos, contentEnd).trim());
      pos = next;
      continue;
    }
    const head = buf.toString('utf8', pos, Math.min(contentEnd, pos + 256));
    const match = FIELD.exec(head);
    if (!match?.[1]) break;
    flush();
    if (fields.length >= limits.maxHeaderFields) {
      limit = `more than ${limits.maxHeaderFields} header fields`;
      pos = skipPastBlankLine(buf, pos, end);
      break;
    }
    const name = match[1].toLowerCase();
    if (lineBytes > limits.maxHeaderLineBytes) {
      limit ??= `header field ${name} longer than ${limits.maxHeaderLineBytes} bytes`;
      current = { name, parts: [buf.toString('utf8', pos + match[0].length, pos + limits.maxHeaderLineBytes)], bytes: lineBytes };
    } else {
      current = { name, parts: [buf.toString('utf8', pos + match[0].length, contentEnd)], bytes: lineBytes };
    }
    pos = next;
  }
  flush();
  return { fields, bodyStart: Math.min(pos, end), bareEol: bareCr || (crlf > 0 && bareLf > 0), ...(limit ? { limit } : {}) };
}

/** End of the line at `pos`: `stop` is the LF (or `end`), `next` the first byte of the next line. */
export function lineEnd(buf: Buffer, pos: number, end: number): { stop: number; next: number } {
  const lf = buf.indexOf(LF, pos);
  if (lf === -1 || lf >= end) return { stop: end, next: end };
  return { stop: lf, next: lf + 1 };
}

function skipPastBlankLine(buf: Buffer, pos: number, end: number): number {
  const crlf = buf.indexOf('\r\n\r\n', pos);
  const lf = buf.indexOf('\n\n', pos);
  const hits = [crlf === -1 ? Infinity : crlf + 4, lf === -1 ? Infinity : lf + 2].filter((n) => n <= end);
  return hits.length ? Math.min(...hits) : end;
}

/** The fields named `name`, in order. */
export function fieldsNamed(block: HeaderBlock, name: string): HeaderField[] {
  return block.fields.filter((f) => f.name === name);
}
