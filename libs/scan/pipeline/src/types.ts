import type { Policy } from '@moat/policy';

/** SMTP stage at which a check runs: the earliest stage that has its input. */
export type Stage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data';

/** What the gateway does with a message (names match proto Action without the prefix, lower case). */
export type ActionName = 'deliver' | 'tag' | 'quarantine' | 'reject' | 'tempfail' | 'hold' | 'discard';

/** One named finding with a score and a human-readable detail (Rspamd's symbol). */
export interface ScanSymbol {
  name: string;
  score: number;
  detail: string;
  stage: Stage;
}

/** The SMTP envelope and connection facts known so far. */
export interface Envelope {
  clientIp: string;
  clientHostname?: string;
  helo?: string;
  mailFrom?: string;
  /** Recipients accepted so far (at the rcpt stage: the one being checked is `ScanContext.rcpt`). */
  rcptTo: string[];
  tls?: boolean;
  authenticatedUser?: string;
}

/** The verdict of one message: the action, the summed score and every symbol that explains it. */
export interface Verdict {
  action: ActionName;
  score: number;
  symbols: ScanSymbol[];
  /** SMTP reply for reject/tempfail, e.g. { code: 554, message: '5.7.1 client address blocked' }. */
  reply?: { code: number; message: string };
}

/** Header fields of interest, decoded. */
export interface SelectedHeaders {
  subject: string;
  from: string;
  to: string;
  messageId: string;
  date: string;
  replyTo: string;
}

export interface AttachmentInfo {
  name: string;
  declaredType: string;
  detectedType: string;
  size: number;
  sha256: string;
}

/** The verdict of a whole message at end of DATA, with what the event needs to describe it. */
export interface MessageVerdict extends Verdict {
  headers: SelectedHeaders;
  attachments: AttachmentInfo[];
  urls: string[];
  /** Domains (lower case) of the accepted recipients, for routing to the per-domain downstream. */
  recipientDomains: string[];
}

/** Result of one SMTP stage: go on, or answer with this reply (at rcpt: refuse this recipient only). */
export type StageResult = { ok: true } | { ok: false; reply: { code: number; message: string }; verdict: Verdict };
