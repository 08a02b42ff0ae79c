import type { StatsBreakdown } from './event-store.repository.js';

// The event store's tables. Modern ClickHouse SQL (DateTime64, Nested, LowCardinality, TTL); the same
// statements run on chdb and on a ClickHouse server. Every statement is idempotent.
//
// Exactly one row per message: the ingest inserts only messages the store does not hold yet (looked up by id
// in `message_times`), and the engines are ReplacingMergeTree keyed by the event's identity, so a copy that
// slips through anyway (two writers racing) collapses on merge. Hot reads therefore need no FINAL: the mail search
// drops a copy with LIMIT 1 BY, counts come from the hourly aggregate (docs/architecture.md, "Event store").

/**
 * One wide row per message (MessageEvent). Monthly partitions (an ingest batch spread over a month writes one
 * or two parts, not thirty) ordered by time then id, so a search over a day reads that day's granules, newest
 * first, and stops at its page. The n-gram bloom filters skip granules without a searched part of the sender,
 * a recipient or the subject (the search adds a LIKE over the same expressions, see clickhouse-mail-query.ts).
 */
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
  inserted_at DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX sender_ngrams lowerUTF8(mail_from) TYPE ngrambf_v1(3, 16384, 2, 0) GRANULARITY 1,
  INDEX rcpt_ngrams lowerUTF8(arrayStringConcat(rcpt_to, ' ')) TYPE ngrambf_v1(3, 16384, 2, 0) GRANULARITY 1,
  INDEX subject_ngrams lowerUTF8(subject) TYPE ngrambf_v1(3, 32768, 2, 0) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(received_at)
ORDER BY (received_at, id)`;

/**
 * Where each message is in time, by id: the message page looks a message up by id, and with its time the
 * look-up in `messages` is one granule; the ingest asks it which ids are stored already. Filled by a view.
 */
export const MESSAGE_TIMES_TABLE = `
CREATE TABLE IF NOT EXISTS message_times (
  id String,
  received_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY id`;

/**
 * The breakdown key of each message row (an array: a message counts once for each of its keys): domain and user
 * are the recipient's for inbound mail and the sender's for outbound, reason is the highest-scoring symbol of
 * mail not delivered as is (`score` without one), symbol every symbol that fired, direction the message's.
 */
export const BREAKDOWN_KEYS = {
  domain: `arrayDistinct(arrayMap(a -> lower(substring(a, position(a, '@') + 1)), if(direction = 'outbound', [mail_from], rcpt_to)))`,
  user: `arrayDistinct(arrayMap(a -> lower(a), if(direction = 'outbound', [mail_from], rcpt_to)))`,
  reason: `if(action = 'deliver', [], [if(empty(symbols.name), 'score', symbols.name[indexOf(symbols.score, arrayMax(symbols.score))])])`,
  symbol: `arrayDistinct(symbols.name)`,
  direction: `[toString(direction)]`,
} as const satisfies Record<StatsBreakdown, string>;

/** The breakdowns with few keys per hour, counted ahead in `messages_keys_hourly` (users are too many: read from messages). */
export const HOURLY_BREAKDOWNS = ['domain', 'reason', 'symbol'] as const satisfies readonly StatsBreakdown[];

/** Messages per hour, direction and action: the dashboard and statistics over days and months read these rows. */
export const MESSAGES_HOURLY_TABLE = `
CREATE TABLE IF NOT EXISTS messages_hourly (
  hour DateTime('UTC'),
  direction LowCardinality(String),
  action LowCardinality(String),
  messages UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, direction, action)`;

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
PARTITION BY toYYYYMM(at)
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

/** Messages per hour, breakdown (HOURLY_BREAKDOWNS), direction, action and key: statistics by domain, reason, symbol. */
export const MESSAGES_KEYS_HOURLY_TABLE = `
CREATE TABLE IF NOT EXISTS messages_keys_hourly (
  hour DateTime('UTC'),
  by LowCardinality(String),
  direction LowCardinality(String),
  action LowCardinality(String),
  key String,
  messages UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (by, hour, direction, action, key)`;

/**
 * The addresses of a message row as (role, address) pairs, lower-cased: its envelope sender ('sender') and each
 * recipient ('rcpt'), the roles of the mail search's sender and recipient fields.
 */
const MESSAGE_ADDRESSES = `arrayConcat([('sender', lowerUTF8(mail_from))], arrayMap(r -> ('rcpt', lowerUTF8(r)), rcpt_to))`;

/**
 * Every address of each month's mail once per role, with its number of messages: a search for a part of a sender
 * or recipient finds here the few addresses that contain it (a scan of the distinct addresses, not of every
 * message). `until` is the first day after the month, so the retention TTL drops a row only after every message
 * of its month.
 */
export const MAIL_ADDRESSES_TABLE = `
CREATE TABLE IF NOT EXISTS mail_addresses (
  until Date,
  role LowCardinality(String),
  address String,
  messages UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(until)
ORDER BY (role, address)`;

/**
 * When each address sent or received mail, ordered by role, address and time: the times of the messages of a
 * few addresses over a range are one primary-key read, and a search narrows `messages` to the granules at
 * those times (clickhouse-mail-query.ts).
 */
export const ADDRESS_TIMES_TABLE = `
CREATE TABLE IF NOT EXISTS address_times (
  role LowCardinality(String),
  address String,
  received_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (role, address, received_at)`;

/**
 * Each table, the time column its retention TTL counts from and, for tables whose layout changed, the layout
 * (system.tables' partition_key and sorting_key): a table of an older CSM with another layout is copied into
 * the new one at start (ClickHouseEventStoreRepository.migrate).
 */
export const RETAINED_TABLES = [
  { table: 'messages', create: MESSAGES_TABLE, timeColumn: 'received_at', layout: { partitionKey: 'toYYYYMM(received_at)', sortingKey: 'received_at, id' } },
  { table: 'deliveries', create: DELIVERIES_TABLE, timeColumn: 'at', layout: { partitionKey: 'toYYYYMM(at)', sortingKey: 'message_id, status, attempts, recipient' } },
  { table: 'audit_log', create: AUDIT_LOG_TABLE, timeColumn: 'at', layout: undefined },
  { table: 'export_log', create: EXPORT_LOG_TABLE, timeColumn: 'exported_at', layout: undefined },
  { table: 'message_times', create: MESSAGE_TIMES_TABLE, timeColumn: 'received_at', layout: undefined },
  { table: 'messages_hourly', create: MESSAGES_HOURLY_TABLE, timeColumn: 'hour', layout: undefined },
  { table: 'messages_keys_hourly', create: MESSAGES_KEYS_HOURLY_TABLE, timeColumn: 'hour', layout: undefined },
  { table: 'mail_addresses', create: MAIL_ADDRESSES_TABLE, timeColumn: 'until', layout: undefined },
  { table: 'address_times', create: ADDRESS_TIMES_TABLE, timeColumn: 'received_at', layout: undefined },
] as const;

const HOURLY_KEYS = `arrayConcat(${HOURLY_BREAKDOWNS.map((by) => `arrayMap(k -> ('${by}', k), ${BREAKDOWN_KEYS[by]})`).join(', ')})`;

/**
 * Tables derived from `messages` by a materialized view. A view missing at start (new store, or after a
 * migration) is made after its table is filled again from `messages` (nothing is inserted meanwhile: the ingest
 * waits for the schema); the fill reads `messages FINAL`, so copies left by an older CSM count once.
 */
export const DERIVED_TABLES = [
  {
    table: 'message_times',
    view: 'message_times_view',
    select: (from: string) => `SELECT id, received_at FROM ${from}`,
  },
  {
    table: 'messages_hourly',
    view: 'messages_hourly_view',
    select: (from: string) => `SELECT toStartOfHour(received_at) AS hour, direction, action, count() AS messages FROM ${from} GROUP BY hour, direction, action`,
  },
  {
    table: 'messages_keys_hourly',
    view: 'messages_keys_hourly_view',
    select: (from: string) => `
      SELECT toStartOfHour(received_at) AS hour, byKey.1 AS by, direction, action, byKey.2 AS key, count() AS messages
      FROM ${from} ARRAY JOIN ${HOURLY_KEYS} AS byKey GROUP BY hour, by, direction, action, key`,
  },
  {
    table: 'mail_addresses',
    view: 'mail_addresses_view',
    select: (from: string) => `
      SELECT toStartOfMonth(received_at) + toIntervalMonth(1) AS until, roleAddress.1 AS role, roleAddress.2 AS address, count() AS messages
      FROM ${from} ARRAY JOIN ${MESSAGE_ADDRESSES} AS roleAddress GROUP BY until, role, address`,
  },
  {
    table: 'address_times',
    view: 'address_times_view',
    select: (from: string) => `SELECT roleAddress.1 AS role, roleAddress.2 AS address, received_at FROM ${from} ARRAY JOIN ${MESSAGE_ADDRESSES} AS roleAddress`,
  },
] as const;
