import { randomBytes } from 'node:crypto';
import type { SpoolMeta } from '../spool/spool.js';

/** One recipient the message could not be delivered to. */
export interface FailedRecipient {
  rcpt: string;
  /** The remote reply, or why the node gave up (expiry). */
  response: string;
  /** The host that answered, when one did. */
  remoteMta: string;
}

export interface DsnInput {
  /** Our name (Reporting-MTA, the Received line). */
  nodeName: string;
  original: SpoolMeta;
  failed: readonly FailedRecipient[];
  /** The original message's header block (returned as text/rfc822-headers; RET=HDRS). */
  originalHeaders: Buffer;
  now?: number;
  /**
   * `failed` (default): the recipients failed for good. `held`: the message waits for an approver (F7), Action:
   * delayed with the response's 4.x.x status; the sender is told again of the decision.
   */
  kind?: 'failed' | 'held';
}

/** At most this much of the original header block goes back to the sender. */
const MAX_RETURNED_HEADERS = 64 * 1024;

/**
 * A delivery status notification (RFC 3464: multipart/report; report-type=delivery-status) for recipients that
 * failed for good: a human-readable part, one machine-readable block per recipient (Action: failed, the status
 * from the reply's enhanced code, else 5.0.0), and the original header fields. The node sends it with the null
 * sender `<>`, so a failed notification never causes another one.
 */
export function buildDsn(input: DsnInput): Buffer {
  const now = input.now ?? Date.now();
  const boundary = `moat-dsn-${randomBytes(12).toString('hex')}`;
  const date = new Date(now).toUTCString().replace('GMT', '+0000');
  const { original, failed, nodeName } = input;
  const held = input.kind === 'held';
  const human = [
    `This is the mail system at ${nodeName}.`,
    '',
    held ? 'Your message is held for an approver and has not been delivered yet; you will be told of the decision.' : 'Your message could not be delivered to the following recipients:',
    '',
    ...failed.map((f) => `  <${f.rcpt}>: ${oneLine(f.response)}`),
    '',
    `Message id at this gateway: ${original.id}`,
  ];
  const perRecipient = failed.map((f) =>
    [
      `Final-Recipient: rfc822; ${f.rcpt}`,
      `Action: ${held ? 'delayed' : 'failed'}`,
      `Status: ${held ? heldStatusOf(f.response) : statusOf(f.response)}`,
      ...(f.remoteMta ? [`Remote-MTA: dns; ${oneLine(f.remoteMta)}`] : []),
      `Diagnostic-Code: smtp; ${oneLine(f.response)}`,
    ].join('\r\n'),
  );
  const machine = [`Reporting-MTA: dns; ${nodeName}`, `X-Moat-Queue-ID: ${original.id}`, `Arrival-Date: ${new Date(original.receivedAtMs).toUTCString().replace('GMT', '+0000')}`, '', perRecipient.join('\r\n\r\n')].join('\r\n');
  const headers = input.originalHeaders.subarray(0, MAX_RETURNED_HEADERS).toString('latin1');
  const text = [
    `From: Mail Delivery System <MAILER-DAEMON@${nodeName}>`,
    `To: <${original.mailFrom}>`,
    `Subject: ${held ? 'Message held for approval' : 'Undelivered Mail Returned to Sender'}`,
    `Date: ${date}`,
    `Message-ID: <${original.id}.dsn.${now}@${nodeName}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    ...human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    machine,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headers.replace(/\r?\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return Buffer.from(text, 'latin1');
}

/** The header block of a message (up to and without the blank line). */
export function headerBlock(message: Buffer): Buffer {
  const end = message.indexOf('\r\n\r\n');
  return end < 0 ? message : message.subarray(0, end + 2);
}

/** The enhanced status code of a reply ("550 5.1.1 no such user" -> 5.1.1), else 5.0.0 (a permanent failure). */
function statusOf(response: string): string {
  const match = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response);
  return match?.[1]?.startsWith('5') ? match[1] : '5.0.0';
}

/** The 4.x.x status of a temporary reply ("451 4.7.1 held for approval" -> 4.7.1), else 4.0.0. */
function heldStatusOf(response: string): string {
  const match = /^\d{3}[ -](4\.\d{1,3}\.\d{1,3})\b/.exec(response);
  return match?.[1] ?? '4.0.0';
}

/** Text on one header line: line breaks and other control characters become spaces; ASCII only. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  return text.replace(/[\x00-\x1f\x7f-\uffff]/g, ' ').slice(0, 900);
}
