import type { ActionName, ScanSymbol } from '@moat/pipeline';

/**
 * Header fields the node adds on top of every message it relays (documented in apps/scan-node/README.md):
 * - `Received:` the standard trace line of this hop.
 * - `X-Moat-Verdict: <action>; score=<n>; id=<message id>; node=<name>; symbols=NAME(score) ...` on all but
 *   outbound mail leaving for outside recipients.
 * - `X-Moat-Spam: yes` when the action is `tag`, for the mail server's junk-folder rule.
 */
export interface TraceFacts {
  id: string;
  nodeName: string;
  clientIp: string;
  clientHostname?: string;
  helo: string;
  tls: boolean;
  action: ActionName;
  score: number;
  symbols: readonly ScanSymbol[];
  receivedAtMs: number;
  /** The message leaves for outside recipients (outbound delivery): only Received, no internal X-Moat-* fields. */
  leaving?: boolean;
}

export const VERDICT_HEADER = 'X-Moat-Verdict';
export const SPAM_HEADER = 'X-Moat-Spam';

export function traceHeaders(facts: TraceFacts): Buffer {
  const from = `${headerSafe(facts.helo) || 'unknown'} (${headerSafe(facts.clientHostname ?? '') || 'unknown'} [${facts.clientIp}])`;
  const date = new Date(facts.receivedAtMs).toUTCString().replace('GMT', '+0000');
  const symbols = facts.symbols.map((s) => `${headerSafe(s.name)}(${s.score.toFixed(2)})`);
  let text = `Received: from ${from}\r\n\tby ${facts.nodeName} (Moat) with ${facts.tls ? 'ESMTPS' : 'ESMTP'} id ${facts.id};\r\n\t${date}\r\n`;
  if (facts.leaving) return Buffer.from(text, 'utf8');
  text += fold(`${VERDICT_HEADER}: ${facts.action}; score=${facts.score.toFixed(2)}; id=${facts.id}; node=${facts.nodeName}; symbols=`, symbols);
  if (facts.action === 'tag') text += `${SPAM_HEADER}: yes\r\n`;
  return Buffer.from(text, 'utf8');
}

/**
 * Removes X-Moat-* fields a sender put in the header (so that nobody can pre-label a message for the mail
 * server's rules). Returns RAW itself, without copying, when there are none.
 */
export function withoutMoatHeaders(raw: Buffer): Buffer {
  const headerEnd = raw.indexOf('\r\n\r\n');
  const header = raw.toString('latin1', 0, headerEnd < 0 ? raw.length : headerEnd + 2);
  if (!/(^|\n)x-moat-/i.test(header)) return raw;
  const kept: string[] = [];
  let dropping = false;
  for (const line of header.split('\r\n')) {
    const continuation = line.startsWith(' ') || line.startsWith('\t');
    if (!continuation) dropping = /^x-moat-/i.test(line);
    if (!dropping) kept.push(line);
  }
  return Buffer.concat([Buffer.from(kept.join('\r\n'), 'latin1'), raw.subarray(header.length)]);
}

/** Appends ITEMS to FIRST as folded lines of at most ~78 characters. */
function fold(first: string, items: readonly string[]): string {
  let out = first;
  let lineLength = first.length;
  items.forEach((item, i) => {
    const piece = i === 0 ? item : ` ${item}`;
    if (lineLength + piece.length > 78) {
      out += `\r\n\t${item}`;
      lineLength = item.length + 1;
    } else {
      out += piece;
      lineLength += piece.length;
    }
  });
  return `${out}\r\n`;
}

/** Keeps client-supplied text from breaking a header line. */
function headerSafe(value: string): string {
  return value.replace(/[^\x21-\x7e]/g, '').slice(0, 255);
}
