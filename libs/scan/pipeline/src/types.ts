import type { DnsResolver } from '@moat/auth';
import type { SpamModel } from '@moat/classifier';
import type { AntivirusEngine, InspectOptions } from '@moat/content';
import type { FleetState } from '@moat/fleet-state';
import type { FuzzyStore } from './body/fuzzy-store.js';
import type { ContentCheckJob } from './content-checks.js';
import type { MessageReading } from './message/read-message.js';
import type { SandboxClient } from './sandbox/sandbox-client.js';

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

/** Inbound: mail for the tenant's domains. Outbound: mail the tenant's users submit or its own servers relay. */
export type Direction = 'inbound' | 'outbound';

/** The SMTP envelope and connection facts known so far. */
export interface Envelope {
  clientIp: string;
  clientHostname?: string;
  helo?: string;
  mailFrom?: string;
  /** Recipients accepted so far (at the rcpt stage: the one being checked is `ScanContext.rcpt`). */
  rcptTo: string[];
  tls?: boolean;
  /** The SMTP AUTH user (lower case), on outbound sessions of authenticated clients. */
  authenticatedUser?: string;
  /** Absent: inbound. */
  direction?: Direction;
}

/** An SMTP reply: the code and the text after it, starting with the enhanced status code. */
export interface SmtpReply {
  code: number;
  message: string;
}

/** The verdict of one message: the action, the summed score and every symbol that explains it. */
export interface Verdict {
  action: ActionName;
  score: number;
  symbols: ScanSymbol[];
  /** SMTP reply for reject/tempfail, e.g. { code: 554, message: '5.7.1 client address blocked' }. */
  reply?: SmtpReply;
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
  /** The start of the message's text (text/plain, else the HTML's visible text; at most BODY_TEXT_MAX characters), for mail tracking's body search. */
  bodyText: string;
  /** Domains (lower case) of the accepted recipients, for routing to the per-domain downstream. */
  recipientDomains: string[];
  /** Authentication-Results value (from its authserv-id on) for the relayed copy, when sender authentication ran. */
  authenticationResults?: string;
}

/** Result of one SMTP stage: go on, or answer with this reply (at rcpt: refuse this recipient only). */
export type StageResult = { ok: true } | { ok: false; reply: SmtpReply; verdict: Verdict };

/** A network service address, e.g. the DNS resolver or clamd a later check talks to. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Where the classifier check finds its model. The node hands over a holder whose `model` it replaces (one
 * assignment) when its policy names another version; undefined while none is loaded turns the check off.
 */
export interface ClassifierModelSource {
  readonly model: SpamModel | undefined;
}

/**
 * Run-time settings of a pipeline that are not policy: where the services live that checks query.
 * The node fills them from its environment, `moat scan` from its options (`--dns`, `--clamd`, `--model`).
 */
export interface ScanOptions {
  dns?: HostPort;
  /** Antivirus engines of this host (the node's clamd from MOAT_CLAMD, `moat scan --clamd`); the SHA-256 list comes with the policy. */
  antivirus?: readonly AntivirusEngine[];
  /**
   * Reads the message (`readMessage`: its MIME walk, text and stage 2's inspection) off this thread (the node's
   * worker threads) and stops after `timeoutMs` (the policy's attachments.inspectionTimeoutMs) with an
   * incomplete report and no message; without one it runs here, unbounded. Given `checks`, it then runs the
   * data stage's content checks on what it read (`runContentChecks`) and stops them after `checks.timeoutMs`.
   */
  reader?: (raw: Buffer, options: InspectOptions, timeoutMs: number, checks?: ContentCheckJob) => Promise<MessageReading>;
  /** The node's resolver (servers, timeouts, cache shared by every check); else one is made from `dns`. */
  resolver?: DnsResolver;
  /** The fleet-wide bulk checksum store; without one the bulk check does nothing. */
  fuzzyStore?: FuzzyStore;
  /** Fleet-wide counters and greylist records; without them greylisting, rate control and mail-bomb defence do nothing. */
  fleetState?: FleetState;
  /** This host's name: SPF's receiver and the default authserv-id. */
  hostname?: string;
  /** The statistical classifier's model; without one the classifier check does nothing. */
  classifier?: ClassifierModelSource;
  /**
   * Record a symbol for each engine the policy asks for that this host lacks (`AV_SKIPPED`: ClamAV on, no
   * `antivirus` engine), so an offline verdict says what it did not look at (`moat scan`; a node has them all).
   */
  explainSkippedEngines?: boolean;
  /** The external analysis servers (F11, policy `sandbox`); without a client the sandbox check does nothing. */
  sandbox?: SandboxClient;
}
