import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import type { Health } from './nats.repository.js';

export type DirectionName = 'inbound' | 'outbound' | 'unspecified';
export const ACTION_NAMES = ['deliver', 'tag', 'quarantine', 'reject', 'tempfail', 'hold', 'discard', 'unspecified'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/**
 * The dashboard's categories (F13). Each message has exactly one, the first that applies in this order: virus (an
 * antivirus engine found malware: AV_VIRUS, AV_HASH), ransomware (a finding of the ransomware group: RANSOMWARE),
 * personal-data (a DLP_ symbol), rejected (refused in SMTP: reject, tempfail), spam (any other message not
 * delivered as is: tag, quarantine, hold, discard), normal (the rest).
 */
export const MAIL_CATEGORIES = ['normal', 'spam', 'virus', 'ransomware', 'personal-data', 'rejected'] as const;
export type MailCategory = (typeof MAIL_CATEGORIES)[number];

/** Breakdown rows returned at most (keys with the most messages first). */
export const MAX_BREAKDOWN_ROWS = 10_000;

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/**
 * Fields a mail search condition can test. Text fields (sender, rcpt, subject, attachment) match a part, case
 * insensitive; clientIp matches a prefix (an address, or the start of a network); the others match exactly
 * (node by id: the service maps names; category: MAIL_CATEGORIES; virus: the name an antivirus engine gave).
 */
export const MAIL_FIELDS = ['sender', 'rcpt', 'subject', 'clientIp', 'verdict', 'direction', 'attachment', 'symbol', 'node', 'deliveryStatus', 'body', 'category', 'virus'] as const;
export type MailField = (typeof MAIL_FIELDS)[number];

/** A search condition tree: a field test, or all (and) / any (or) of its children. */
export type MailCondition = { field: MailField; value: string } | { and: MailCondition[] } | { or: MailCondition[] };

/** Keyset position: the last row of the previous page (rows are ordered by received_at, id, descending). */
export interface MailPosition {
  receivedAtMs: number;
  id: string;
}

/** Only messages of this tenant (F18); undefined: every tenant's. */
export interface TenantFilter {
  tenant?: string;
}

export interface MailQuery extends TimeRange, TenantFilter {
  /** Undefined matches every message in the range. */
  where: MailCondition | undefined;
  /** Only rows after this one in the order; undefined from the start. */
  after: MailPosition | undefined;
  limit: number;
}

export interface MailSummary {
  id: string;
  receivedAtMs: number;
  nodeId: string;
  direction: DirectionName;
  mailFrom: string;
  rcptTo: string[];
  subject: string;
  clientIp: string;
  action: ActionName;
  score: number;
  /** Latest delivery state: from DeliveryEvents when there are any, else the state the MessageEvent carried. */
  deliveryStatus: string;
  released: boolean;
  attachmentNames: string[];
}

/** Messages held now: quarantined or held, received in the range, neither released nor deleted nor expired. */
export interface HeldQuery extends TimeRange, TenantFilter {
  /** Part of a recipient address (any case); '' matches every message. */
  rcpt: string;
  limit: number;
}

/** A held message with its symbols' names and scores (what its quarantine reason is read from). */
export interface HeldMail extends MailSummary {
  symbols: { name: string; score: number }[];
}

export interface MailSymbol {
  name: string;
  score: number;
  detail: string;
  stage: string;
}

export interface MailAttachment {
  name: string;
  declaredType: string;
  detectedType: string;
  size: number;
  sha256: string;
}

export interface MailDelivery {
  recipient: string;
  status: string;
  downstream: string;
  response: string;
  attempts: number;
  atMs: number;
  nodeId: string;
  /** TLS protocol of the connection to the downstream ("" in plain text). */
  tlsVersion: string;
}

export interface MailDetail extends MailSummary {
  tenant: string;
  clientHostname: string;
  helo: string;
  tls: boolean;
  /** With tls: protocol, cipher suite and the name the client asked for (SNI). */
  tlsVersion: string;
  tlsCipher: string;
  tlsServerName: string;
  authenticatedUser: string;
  headerFrom: string;
  headerTo: string;
  headerMessageId: string;
  headerDate: string;
  replyTo: string;
  urls: string[];
  policyVersion: number;
  sizeBytes: number;
  smtpReply: string;
  timings: { sessionMs: number; scanMs: number; spoolMs: number };
  symbols: MailSymbol[];
  attachments: MailAttachment[];
  deliveries: MailDelivery[];
}

export interface Stats {
  total: number;
  byDirectionAction: { direction: DirectionName; action: ActionName; count: number }[];
  daily: { day: string; direction: DirectionName; action: ActionName; count: number }[];
}

/** One symbol that fired on one message: a row of the security log. */
export interface SecurityFinding {
  atMs: number;
  messageId: string;
  nodeId: string;
  /** The symbol's place among the message's symbols (from 1); with messageId, the row's identity. */
  position: number;
  symbol: string;
  score: number;
  detail: string;
  stage: string;
  sender: string;
  subject: string;
  clientIp: string;
  action: ActionName;
}

/** Security log search, newest first; an empty kind (sender, ip, text) matches every row. */
export interface SecurityLogQuery extends TimeRange, TenantFilter {
  /** The filter family: a symbol name prefix (AV_, SPF_, RBL_) or a whole name. */
  kind: string;
  /** Sender address part, any case; '' matches every sender. */
  sender: string;
  /** Client IP prefix; '' matches every IP. */
  ip: string;
  /** Words in the subject or the finding's detail, any case; '' matches every row. */
  text: string;
  /** Only findings after this one in the order (received_at, message id, position; descending). */
  after: { atMs: number; messageId: string; position: number } | undefined;
  limit: number;
}

/** What an audit entry says: who did what, when, to what, and whether it worked. */
export interface AuditFields {
  atMs: number;
  admin: string;
  action: string;
  target: string;
  detail: string;
  ok: boolean;
}

/**
 * What a breakdown counts by: domain and user are the recipient's for inbound mail and the sender's for
 * outbound; reason is the highest-scoring symbol of each message that was not delivered as is; symbol counts
 * every symbol that fired; direction counts each message once by its direction.
 */
export const STATS_BREAKDOWNS = ['domain', 'user', 'reason', 'symbol', 'direction'] as const;
export type StatsBreakdown = (typeof STATS_BREAKDOWNS)[number];

export interface BreakdownQuery extends TimeRange, TenantFilter {
  by: StatsBreakdown;
  direction: DirectionName | '';
}

export interface BreakdownRow {
  key: string;
  action: ActionName;
  count: number;
}

/** The dashboard's time buckets. */
export const DASHBOARD_BUCKETS = ['hour', 'day'] as const;
export type DashboardBucket = (typeof DASHBOARD_BUCKETS)[number];

export interface DashboardQuery extends TimeRange, TenantFilter {
  bucket: DashboardBucket;
}

/** Messages of one direction and category received in the bucket starting at startMs (UTC). */
export interface BucketCount {
  startMs: number;
  direction: DirectionName;
  category: MailCategory;
  count: number;
}

/** The lists of the dashboard's tops, each with the mail search field its keys are values of. */
export const DASHBOARD_TOPS = ['senders', 'recipients', 'spamRecipients', 'viruses', 'symbols', 'clientIps'] as const;
export type DashboardTop = (typeof DASHBOARD_TOPS)[number];

export interface TopRow {
  key: string;
  count: number;
}

/** Keys returned per top list. */
export const TOP_ROWS = 10;

export interface DashboardCounts {
  /** Only buckets with messages; the caller fills the empty ones. */
  buckets: BucketCount[];
  tops: Record<DashboardTop, TopRow[]>;
}

/** An entry of the audit chain: `hash` covers the fields, `seq` and `prevHash` (the hash of entry seq - 1). */
export interface AuditEntry extends AuditFields {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Audit log search, newest first; empty strings match everything. */
export interface AuditQuery extends TimeRange {
  admin: string;
  /** An action (`mail.release`) or its family (`mail` matches every `mail.*`). */
  action: string;
  /** What was acted on (a message id, `policy v3`); exact. */
  target: string;
  /** Only entries of these administrators (a tenant's, F18); undefined: every entry. */
  actors?: string[];
  /** Only entries before this seq (the cursor of the previous page); 0 for the newest. */
  beforeSeq: number;
  limit: number;
}

/** One entry of the export log: its position, the event's id, kind and time, and the event as JSON text. */
export interface ExportLogRow {
  seq: number;
  id: string;
  kind: string;
  atMs: number;
  json: string;
}

/** The event store (ClickHouse): message and delivery events, the audit log, and the queries over them. */
export abstract class EventStoreRepository {
  /** Creates tables if missing and applies the retention TTL; idempotent. */
  abstract ensureSchema(): Promise<void>;
  /** Inserts events; idempotent per message id and per delivery state, so a redelivered batch adds nothing. */
  abstract insertEvents(messages: MessageEvent[], deliveries: DeliveryEvent[]): Promise<void>;
  /** Inserts audit entries; idempotent per seq (a repaired entry written twice shows once). */
  abstract insertAudit(entries: AuditEntry[]): Promise<void>;
  abstract hasAuditEntry(seq: number): Promise<boolean>;
  /** Rows of the audit table written before the chain existed (`audit`), oldest first; empty once there is none. */
  abstract legacyAudit(): Promise<AuditFields[]>;
  abstract searchAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** Up to LIMIT entries with seq > AFTERSEQ, ascending. */
  abstract auditAfter(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  abstract searchMail(query: MailQuery): Promise<MailSummary[]>;
  abstract getMail(id: string): Promise<MailDetail | undefined>;
  /** The messages in the quarantine now (HeldQuery), newest first. */
  abstract heldMail(query: HeldQuery): Promise<HeldMail[]>;
  abstract securityLog(query: SecurityLogQuery): Promise<SecurityFinding[]>;
  abstract stats(range: TimeRange & TenantFilter): Promise<Stats>;
  /** Message counts per key and action, most frequent keys first, at most MAX_BREAKDOWN_ROWS rows. */
  abstract breakdown(query: BreakdownQuery): Promise<BreakdownRow[]>;
  /** Counts per bucket, direction and category, and the top TOP_ROWS keys of each DASHBOARD_TOPS list. */
  abstract dashboard(query: DashboardQuery): Promise<DashboardCounts>;
  abstract health(): Promise<Health>;

  /** Which of IDS the export log holds already. */
  abstract exportedIds(ids: string[]): Promise<Set<string>>;
  /** The highest position in the export log, 0 when it is empty. */
  abstract lastExportSeq(): Promise<number>;
  /** Appends rows (ascending seq) in one insert, stamped EXPORTEDATMS (retention counts from it). */
  abstract insertExportRows(rows: ExportLogRow[], exportedAtMs: number): Promise<void>;
  /** Up to LIMIT rows after position AFTERSEQ, in position order. */
  abstract readExportRows(afterSeq: number, limit: number): Promise<ExportLogRow[]>;
}
