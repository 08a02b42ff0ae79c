/** A message refused for how it is framed, before any content check runs. */
export interface FramingProblem {
  code: number;
  message: string;
  /** Symbol recorded in the event, so the refusal is explained like any other verdict. */
  symbol: string;
}

/** What the policy does with a CR that is not followed by LF (`smtp.bareCr`). */
export type BareCrPolicy = 'reject' | 'normalise';

/**
 * Checks the raw DATA for what a relay must not pass on: nothing at all, NUL bytes (RFC 5321 4.1.4 forbids
 * them), bare LF line ends and, when BARECR is `reject`, bare CRs. Bare line ends are refused rather than
 * passed on, as Postfix does since 3.9: a mail server behind us may read line ends differently and that
 * difference is what SMTP smuggling exploits (`<CR>.<CR>` ends DATA for some servers). With `normalise` the
 * caller makes every bare CR a CRLF (`withBareCrNormalised`) before the message is read or spooled.
 */
export function framingProblem(raw: Buffer, bareCr: BareCrPolicy = 'reject'): FramingProblem | undefined {
  const content = contentFramingProblem(raw);
  if (content) return content;
  for (let at = raw.indexOf(10); at >= 0; at = raw.indexOf(10, at + 1)) {
    if (at === 0 || raw[at - 1] !== 13) {
      return { code: 554, message: '5.6.0 Error: bare LF line ending, lines must end with CRLF (RFC 5321 2.3.8)', symbol: 'SMTP_BARE_LF' };
    }
  }
  if (bareCr === 'reject' && firstBareCr(raw) >= 0) {
    return { code: 554, message: '5.6.0 Error: bare CR in the message, lines must end with CRLF (RFC 5321 2.3.8)', symbol: 'SMTP_BARE_CR' };
  }
  return undefined;
}

/**
 * The part of `framingProblem` that does not depend on line ends: an empty message, NUL bytes. `moat scan`
 * judges message files with it (a file's LF line ends are what an SMTP client turns into CRLF), so that it
 * refuses what a node refuses.
 */
export function contentFramingProblem(raw: Buffer): FramingProblem | undefined {
  if (raw.length === 0) return { code: 554, message: '5.6.0 Error: empty message', symbol: 'SMTP_EMPTY_MESSAGE' };
  if (raw.indexOf(0) >= 0) return { code: 554, message: '5.6.0 Error: message contains NUL bytes', symbol: 'SMTP_NUL_BYTES' };
  return undefined;
}

/** Offset of the first CR not followed by LF, or -1. */
function firstBareCr(raw: Buffer, from = 0): number {
  for (let at = raw.indexOf(13, from); at >= 0; at = raw.indexOf(13, at + 1)) {
    if (raw[at + 1] !== 10) return at;
  }
  return -1;
}

/**
 * RAW with every bare CR made a CRLF, in a new SharedArrayBuffer like the collected message (the reader threads
 * take it without a copy); RAW itself when it has none.
 */
export function withBareCrNormalised(raw: Buffer): Buffer {
  let at = firstBareCr(raw);
  if (at < 0) return raw;
  const crs: number[] = [];
  for (; at >= 0; at = firstBareCr(raw, at + 1)) crs.push(at);
  const out = Buffer.from(new SharedArrayBuffer(raw.length + crs.length));
  let from = 0;
  let to = 0;
  for (const cr of crs) {
    to += raw.copy(out, to, from, cr + 1);
    out[to++] = 10;
    from = cr + 1;
  }
  raw.copy(out, to, from);
  return out;
}
