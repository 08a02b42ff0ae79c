import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import type { Health } from './nats.repository.js';

export type DirectionName = 'inbound' | 'outbound' | 'unspecified';
export const ACTION_NAMES = ['deliver', 'tag', 'quarantine', 'reject', 'tempfail', 'hold', 'discard', 'unspecified'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** Mail search conditions; empty strings match everything. Combined with AND. */
export interface MailQuery extends TimeRange {
  sender: string;
  rcpt: string;
  subject: string;
  verdict: ActionName | '';
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
}

export interface MailDetail extends MailSummary {
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

export interface AuditEntry {
  atMs: number;
  admin: string;
  action: string;
  target: string;
  detail: string;
  ok: boolean;
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
  abstract insertAudit(entry: AuditEntry): Promise<void>;
  abstract searchMail(query: MailQuery): Promise<MailSummary[]>;
  abstract getMail(id: string): Promise<MailDetail | undefined>;
  abstract stats(range: TimeRange): Promise<Stats>;
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
