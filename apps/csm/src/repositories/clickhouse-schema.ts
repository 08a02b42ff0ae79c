// The event store's tables. Modern ClickHouse SQL (DateTime64, Nested, LowCardinality, TTL); the same
// statements run on chdb and on a ClickHouse server. Every statement is idempotent.
//
// Exactly one row per message: the engines are ReplacingMergeTree keyed by the event's identity, so a batch
// inserted twice (redelivery after a failed ack, journal replay) collapses on merge, and every query reads
// with FINAL so duplicates never show before the merge either.

/** One wide row per message (MessageEvent), keyed by message id. */
export const MESSAGES_TABLE = `
CREATE TABLE IF NOT EXISTS messages (
  id String,
  node_id LowCardinality(String),
  tenant LowCardinality(String),
  received_at DateTime64(3, 'UTC'),
  direction LowCardinality(String),
  mail_from String,
  rcpt_to Array(String),
  client_ip String,
  client_hostname String,
  helo String,
  tls Bool,
  tls_version LowCardinality(String),
  tls_cipher LowCardinality(String),
  tls_server_name String,
  authenticated_user String,
  subject String,
  header_from String,
  header_to String,
  header_message_id String,
  header_date String,
  reply_to String,
  action LowCardinality(String),
  score Float64,
  symbols Nested(name LowCardinality(String), score Float64, detail String, stage LowCardinality(String)),
  attachments Nested(name String, declared_type String, detected_type String, size UInt64, sha256 String),
  urls Array(String),
  delivery_status LowCardinality(String),
  delivery_downstream String,
  delivery_response String,
  delivery_attempts UInt32,
  delivery_at DateTime64(3, 'UTC'),
  session_ms UInt32,
  scan_ms UInt32,
  spool_ms UInt32,
  policy_version UInt64,
  size_bytes UInt64,
  smtp_reply String,
  body_text String,
  inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMMDD(received_at)
ORDER BY id`;

/** Later delivery states (DeliveryEvent), one row per message, status, attempt and recipient. */
export const DELIVERIES_TABLE = `
CREATE TABLE IF NOT EXISTS deliveries (
  message_id String,
  node_id LowCardinality(String),
  recipient String,
  status LowCardinality(String),
  downstream String,
  response String,
  attempts UInt32,
  at DateTime64(3, 'UTC'),
  tls_version LowCardinality(String),
  inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMMDD(at)
ORDER BY (message_id, status, attempts, recipient)`;

/**
 * The audit chain: administrator actions (logins, policy changes, releases, node enrolments, ...), one row per
 * entry keyed by its seq, so an entry written twice (repaired after a failed insert) shows once. It replaces
 * the table `audit` (no seq, no hashes), whose rows become the first entries of the chain (AuditService).
 */
export const AUDIT_LOG_TABLE = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq UInt64,
  at DateTime64(3, 'UTC'),
  admin LowCardinality(String),
  action LowCardinality(String),
  target String,
  detail String,
  ok Bool,
  prev_hash String,
  hash String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY seq`;

/**
 * The export log (GET /api/events, syslog push): every exported event once, in the order the CSM appended it,
 * at its position `seq` (docs/architecture.md, "Event export"). One insert per append with one `exported_at`,
 * so an append lands in one part and a reader sees all of it or none of it. The bloom filter serves the
 * "already exported?" look-up by event id that keeps redeliveries out.
 */
export const EXPORT_LOG_TABLE = `
CREATE TABLE IF NOT EXISTS export_log (
  seq UInt64,
  id String,
  kind LowCardinality(String),
  at DateTime64(3, 'UTC'),
  event String,
  exported_at DateTime64(3, 'UTC'),
  INDEX id_bloom id TYPE bloom_filter GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(exported_at)
ORDER BY seq`;

/** Columns added after the tables' first release: tables made by an older CSM get them at start (a no-op otherwise). */
export const ADDED_COLUMNS = [
  `ALTER TABLE messages ADD COLUMN IF NOT EXISTS tls_version LowCardinality(String) AFTER tls`,
  `ALTER TABLE messages ADD COLUMN IF NOT EXISTS tls_cipher LowCardinality(String) AFTER tls_version`,
  `ALTER TABLE messages ADD COLUMN IF NOT EXISTS tls_server_name String AFTER tls_cipher`,
  `ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS tls_version LowCardinality(String) AFTER at`,
  `ALTER TABLE messages ADD COLUMN IF NOT EXISTS body_text String AFTER smtp_reply`,
] as const;

/** Each table and the time column its retention TTL counts from. */
export const RETAINED_TABLES = [
  { table: 'messages', create: MESSAGES_TABLE, timeColumn: 'received_at' },
  { table: 'deliveries', create: DELIVERIES_TABLE, timeColumn: 'at' },
  { table: 'audit_log', create: AUDIT_LOG_TABLE, timeColumn: 'at' },
  { table: 'export_log', create: EXPORT_LOG_TABLE, timeColumn: 'exported_at' },
] as const;
