// Response shapes of the CSM's REST API (docs/architecture.md, "REST API"). Times are ms since the epoch.

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  expiresAt: number;
}

/** Verdict actions as named by the policy and `moat scan`; `unspecified` for an event that carried none. */
export const ACTIONS = ['deliver', 'tag', 'quarantine', 'reject', 'tempfail', 'hold', 'discard', 'unspecified'] as const;
export type Action = (typeof ACTIONS)[number];

/** `unspecified` for a transaction refused before its direction was known (at connect, say). */
export const DIRECTIONS = ['inbound', 'outbound', 'unspecified'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface ServiceHealth {
  ok: boolean;
  detail: string;
}

export interface NodeResources {
  cpuPercent: number;
  rssBytes: number;
  spoolMessages: number;
  spoolBytes: number;
  journalEvents: number;
  activeConnections: number;
}

export interface NodeStatus {
  id: string;
  name: string;
  smtpAddress: string;
  /** The node's Prometheus endpoint; "" until the node reported one. */
  metricsUrl: string;
  up: boolean;
  lastHeartbeatMs: number;
  policyVersion: number;
  softwareVersion: string;
  engineVersions: Record<string, string>;
  /** Absent until the node's first heartbeat. */
  resources?: NodeResources;
  /** The DNS servers the node's checks ask; absent until a heartbeat reports them. */
  resolver?: ResolverInfo;
}

export interface ResolverInfo {
  /** `configured`: the policy's dns.servers; `system`: none configured, the machine's (/etc/resolv.conf). */
  source: 'configured' | 'system';
  servers: string[];
  /** Set when sender authentication runs on the system resolver; "" otherwise. */
  warning: string;
}

export interface ClusterStatus {
  policyVersion: number;
  nats: ServiceHealth;
  clickhouse: ServiceHealth;
  nodes: NodeStatus[];
}

export interface DirectionActionCount {
  direction: Direction;
  action: Action;
  count: number;
}

export interface DailyCount extends DirectionActionCount {
  /** Calendar day, `YYYY-MM-DD`. */
  day: string;
}

export interface Stats {
  total: number;
  byDirectionAction: DirectionActionCount[];
  daily: DailyCount[];
}

/** Error body the CSM sends with 4xx answers. */
export interface ApiErrorBody {
  error: string;
  problems?: string[];
}

/** `GET /api/mail` parameters that test one field each (docs/architecture.md, "REST API"). */
export const MAIL_FIELDS = ['sender', 'rcpt', 'subject', 'ip', 'verdict', 'direction', 'attachment', 'symbol', 'node', 'delivery'] as const;
export type MailField = (typeof MAIL_FIELDS)[number];

/** One message as the mail search lists it. */
export interface MailRow {
  id: string;
  receivedAtMs: number;
  nodeId: string;
  /** The node's name (its id when the node is not enrolled any more). */
  nodeName: string;
  direction: Direction;
  mailFrom: string;
  rcptTo: string[];
  subject: string;
  clientIp: string;
  action: Action;
  score: number;
  deliveryStatus: string;
  released: boolean;
  attachmentNames: string[];
}

export interface MailPage {
  messages: MailRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface MailSymbol {
  name: string;
  score: number;
  detail: string;
  stage: string;
  /** What the symbol means, in one sentence. */
  meaning: string;
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
}

export interface VerdictExplanation {
  /** The action the score alone gives under the message's policy version. */
  byScore: Action;
  /** True when a finding with its own disposition made the action more severe than the score's. */
  forced: boolean;
  forcedBy: string[];
  summary: string;
}

/** `GET /api/mail/:id`: the row (node by id) with its envelope, headers, findings, deliveries and administrator actions. */
export interface MailDetail extends Omit<MailRow, 'nodeName'> {
  tenant: string;
  clientHostname: string;
  helo: string;
  tls: boolean;
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
  symbols: MailSymbol[];
  attachments: MailAttachment[];
  deliveries: MailDelivery[];
  verdict: VerdictExplanation;
  actions: AuditEntry[];
}

export const BULK_ACTIONS = ['release', 'delete', 'report-spam', 'report-ham'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface BulkResult {
  action: BulkAction;
  ok: number;
  failed: number;
  results: { id: string; ok: boolean; detail: string }[];
}

export type ExportFormat = 'csv' | 'xlsx';

/** An entry of the audit chain, newest first in `GET /api/audit`. */
export interface AuditEntry {
  seq: number;
  atMs: number;
  admin: string;
  action: string;
  target: string;
  detail: string;
  ok: boolean;
  prevHash: string;
  hash: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstSeq: number;
  lastSeq: number;
  headSeq: number;
  broken: { seq: number; reason: string } | null;
}
