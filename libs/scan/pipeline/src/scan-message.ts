import type { Policy } from '@moat/policy';
import { defaultChecks } from './checks/index.js';
import { compilePolicy, type CompiledPolicy } from './compile-policy.js';
import { Pipeline } from './pipeline.js';
import type { Envelope, MessageVerdict, ScanOptions, StageResult } from './types.js';
import { refusedMessageVerdict } from './verdict.js';

/**
 * Scans messages offline the way a node would receive them, without delivering: connect, HELO, MAIL, each
 * RCPT, DATA. A stage runs only when the envelope gives its input (no client IP: no IP lists; no
 * recipients: no relay or recipient checks), so content can be scanned without inventing an envelope.
 */
export class MessageScanner {
  constructor(
    private readonly policy: CompiledPolicy,
    private readonly pipeline: Pipeline = new Pipeline(defaultChecks()),
  ) {}

  async scan(raw: Buffer, envelope: Partial<Envelope>): Promise<MessageVerdict> {
    const session = this.pipeline.session(this.policy, {
      clientIp: envelope.clientIp ?? '',
      ...(envelope.clientHostname === undefined ? {} : { clientHostname: envelope.clientHostname }),
      ...(envelope.tls === undefined ? {} : { tls: envelope.tls }),
      ...(envelope.authenticatedUser === undefined ? {} : { authenticatedUser: envelope.authenticatedUser }),
    });
    const connected = await session.connect();
    if (!connected.ok) return refusedMessageVerdict(connected.verdict);
    if (envelope.helo !== undefined) {
      const greeted = await session.helo(envelope.helo);
      if (!greeted.ok) return refusedMessageVerdict(greeted.verdict);
    }
    if (envelope.mailFrom !== undefined) {
      const sent = await session.mailFrom(envelope.mailFrom);
      if (!sent.ok) return refusedMessageVerdict(sent.verdict);
    }
    const recipients = envelope.rcptTo ?? [];
    let firstRefusal: Extract<StageResult, { ok: false }> | undefined;
    for (const rcpt of recipients) {
      const result = await session.rcptTo(rcpt);
      if (!result.ok) firstRefusal ??= result;
    }
    // Like a node, go on to DATA when at least one recipient was accepted.
    if (firstRefusal && session.envelope.rcptTo.length === 0) return refusedMessageVerdict(firstRefusal.verdict);
    return session.data(raw);
  }
}

/** One-shot offline scan; for many messages, build one `MessageScanner` and reuse it. */
export function scanMessage(opts: { raw: Buffer; envelope: Partial<Envelope>; policy: Policy; policyVersion?: number; options?: ScanOptions }): Promise<MessageVerdict> {
  const scanner = new MessageScanner(compilePolicy(opts.policy, opts.policyVersion ?? 0), new Pipeline(defaultChecks(), opts.options));
  return scanner.scan(opts.raw, opts.envelope);
}
