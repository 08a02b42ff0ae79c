/** A message refused for how it is framed, before any content check runs. */
export interface FramingProblem {
  code: number;
  message: string;
  /** Symbol recorded in the event, so the refusal is explained like any other verdict. */
  symbol: string;
}

/**
 * Checks the raw DATA for what a relay must not pass on: nothing at all, NUL bytes (RFC 5321 4.1.4 forbids
 * them), and bare LF line ends. Bare LF is refused rather than repaired, as Postfix does since 3.9: a mail server
 * behind us may read line ends differently and that difference is what SMTP smuggling exploits.
 */
export function framingProblem(raw: Buffer): FramingProblem | undefined {
  if (raw.length === 0) return { code: 554, message: '5.6.0 Error: empty message', symbol: 'SMTP_EMPTY_MESSAGE' };
  if (raw.indexOf(0) >= 0) return { code: 554, message: '5.6.0 Error: message contains NUL bytes', symbol: 'SMTP_NUL_BYTES' };
  for (let at = raw.indexOf(10); at >= 0; at = raw.indexOf(10, at + 1)) {
    if (at === 0 || raw[at - 1] !== 13) {
      return { code: 554, message: '5.6.0 Error: bare LF line ending, lines must end with CRLF (RFC 5321 2.3.8)', symbol: 'SMTP_BARE_LF' };
    }
  }
  return undefined;
}
