import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { CsmConfig } from '../csm-config.js';
import { errorMessage, UnavailableError } from '../util/errors.js';
import { ADDRESS_ROLES, addressMatchKey, addressParts, CATEGORY_SQL, mailConditionSql, RANGE, VIRUS_NAMES_SQL, type AddressField } from './clickhouse-mail-query.js';
import { auditRow, dateTime64, deliveryRow, messageRow } from './clickhouse-rows.js';
import { ADDED_COLUMNS, BREAKDOWN_KEYS, DERIVED_TABLES, HOURLY_BREAKDOWNS, RETAINED_TABLES } from './clickhouse-schema.js';
import {
  EventStoreRepository,
  MAX_BREAKDOWN_ROWS,
  TOP_ROWS,
  DASHBOARD_TOPS,
  type AuditEntry,
  type BucketCount,
  type DashboardBucket,
  type DashboardCounts,
  type DashboardQuery,
  type DashboardTop,
  type TopRow,
  type BreakdownQuery,
  type BreakdownRow,
  type StatsBreakdown,
  type AuditFields,
  type AuditQuery,
  type ExportLogRow,
  type HeldMail,
  type HeldQuery,
  type MailDetail,
  type MailQuery,
  type MailSummary,
  type SecurityFinding,
  type SecurityLogQuery,
  type Stats,
  type TenantFilter,
  type TimeRange,
} from './event-store.repository.js';
import type { Health } from './nats.repository.js';

// Every query takes its values as ClickHouse parameters ({name:Type}); no value is ever spliced into SQL.

/**
 * FINAL collapses the rows of one key only within a partition: the copies of one event always share its
 * partition (the partition key is the event's time). Without this setting FINAL merges across partitions.
 */
const FINAL_PER_PARTITION = 'SETTINGS do_not_merge_across_partitions_select_final = 1';

/**
 * Hot reads use no FINAL (it merges every granule of the range). A page reads this many rows more than its
 * length in key order and keeps one row per key (pageWithoutCopies): a copy of a message that slipped past
 * the ingest's look-up (two writers racing) shows once, and a page that copies left short is read again longer.
 */
const SPARE_ROWS = 16;

/** The MailSummary fields a message row holds alone (all but deliveryStatus and released); expects it as `m`. */
const SUMMARY_FIELDS = `
  m.id AS id, toUnixTimestamp64Milli(m.received_at) AS receivedAtMs, m.node_id AS nodeId, m.direction AS direction,
  m.mail_from AS mailFrom, m.rcpt_to AS rcptTo, m.subject AS subject, m.client_ip AS clientIp, m.action AS action,
  m.score AS score, m.attachments.name AS attachmentNames`;

/**
 * Selects one message per row in the MailSummary shape, with the state the MessageEvent carried as
 * deliveryStatus (withDeliveryState puts the latest DeliveryEvent's over it); expects the message table as `m`.
 */
const SUMMARY_COLUMNS = `${SUMMARY_FIELDS}, m.delivery_status AS deliveryStatus`;

/** Latest delivery state and release flag of the messages IDS that have DeliveryEvents (copies change neither). */
const DELIVERY_STATE_SQL = `
SELECT message_id AS id, argMax(status, at) AS lastStatus, max(status = 'released') AS released
FROM deliveries WHERE message_id IN {ids:Array(String)} GROUP BY message_id`;

/** The tenant filter: {tenant} '' matches every tenant. */
const TENANT = `({tenant:String} = '' OR tenant = {tenant:String})`;

/**
 * Search over `messages` with the condition WHERE, newest first, keyset-paged on (received_at, id): each page
 * starts after the last row of the one before, so rows arriving meanwhile never shift or repeat a page. The
 * table's order is (received_at, id): the inner query reads the range backwards and stops at its page. The
 * delivery states are a second query on the page's ids (a CTE used twice would run the search twice).
 */
const searchSql = (where: string) => `
SELECT ${SUMMARY_COLUMNS} FROM messages AS m
WHERE ${RANGE} AND ${TENANT}
  AND (received_at, id) < (fromUnixTimestamp64Milli({afterMs:Int64}, 'UTC'), {afterId:String})
  AND ${where}
ORDER BY received_at DESC, id DESC
LIMIT {fetch:UInt32}`;

/**
 * A search's sender or recipient part takes the primary-key path (clickhouse-mail-query.ts) when at most this
 * many stored addresses of the range contain it, with at most this many messages between them; a part in more
 * (`example`, `.com`) is common enough that reading the range newest first meets its page soon.
 */
const MAX_MATCHED_ADDRESSES = 1000;
const MAX_MATCHED_MESSAGES = 200_000;

/**
 * The stored addresses of a role that contain a part, with their messages, in the months the range touches
 * (`until` is the day after a row's month), at most {limit:UInt32} of them.
 */
const ADDRESS_MATCHES_SQL = `
SELECT address, toUInt64(sum(messages)) AS messages FROM mail_addresses
WHERE role = {role:String} AND position(address, lowerUTF8({part:String})) > 0
  AND until > toDate(fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC'))
  AND until <= toStartOfMonth(fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')) + toIntervalMonth(1)
GROUP BY address
LIMIT {limit:UInt32}`;

/** One message by id: its time from `message_times`, then one granule of `messages`. */
const DETAIL_SQL = `
SELECT ${SUMMARY_COLUMNS},
  m.tenant AS tenant, m.client_hostname AS clientHostname, m.helo AS helo, m.tls AS tls,
  m.tls_version AS tlsVersion, m.tls_cipher AS tlsCipher, m.tls_server_name AS tlsServerName,
  m.authenticated_user AS authenticatedUser, m.header_from AS headerFrom, m.header_to AS headerTo,
  m.header_message_id AS headerMessageId, m.header_date AS headerDate, m.reply_to AS replyTo, m.urls AS urls,
  m.policy_version AS policyVersion, m.size_bytes AS sizeBytes, m.smtp_reply AS smtpReply,
  map('sessionMs', m.session_ms, 'scanMs', m.scan_ms, 'spoolMs', m.spool_ms) AS timings,
  arrayMap((n, s, t, g) -> map('name', n, 'score', toString(s), 'detail', t, 'stage', g),
    m.symbols.name, m.symbols.score, m.symbols.detail, m.symbols.stage) AS symbolMaps,
  arrayMap((n, dt, ct, z, h) -> map('name', n, 'declaredType', dt, 'detectedType', ct, 'size', toString(z), 'sha256', h),
    m.attachments.name, m.attachments.declared_type, m.attachments.detected_type, m.attachments.size, m.attachments.sha256) AS attachmentMaps
FROM messages AS m
WHERE received_at IN (SELECT received_at FROM message_times WHERE id = {id:String}) AND id = {id:String}
LIMIT 1`;

/**
 * The quarantine now: quarantined and held messages in the range whose latest state is not a release, a deletion
 * or an expiry, newest first, with their symbols (the quarantine's reason is read from them).
 */
const HELD_SQL = `
WITH picked AS (
  SELECT * FROM messages
  WHERE ${RANGE} AND ${TENANT} AND action IN ('quarantine', 'hold')
    AND ({rcpt:String} = '' OR arrayExists(r -> positionCaseInsensitiveUTF8(r, {rcpt:String}) > 0, rcpt_to))
)
SELECT ${SUMMARY_FIELDS}, if(d.message_id = '', m.delivery_status, d.last_status) AS deliveryStatus, d.released AS released,
  m.symbols.name AS symbolNames, m.symbols.score AS symbolScores
FROM picked AS m LEFT JOIN (
  SELECT message_id, argMax(status, at) AS last_status, max(status = 'released') AS released
  FROM deliveries WHERE message_id IN (SELECT id FROM picked) GROUP BY message_id
) AS d ON d.message_id = m.id
WHERE d.released = 0 AND if(d.message_id = '', m.delivery_status, d.last_status) NOT IN ('deleted', 'expired')
ORDER BY receivedAtMs DESC, id DESC
LIMIT 1 BY id
LIMIT {limit:UInt32}`;

/** One row per symbol of each message (ARRAY JOIN over the positions), keyset-paged like the mail search. */
const SECURITY_LOG_SQL = `
SELECT toUnixTimestamp64Milli(received_at) AS atMs, id AS messageId, node_id AS nodeId, n AS position,
  symbols.name[n] AS symbol, symbols.score[n] AS score, symbols.detail[n] AS detail, symbols.stage[n] AS stage,
  mail_from AS sender, subject, client_ip AS clientIp, action
FROM messages ARRAY JOIN arrayEnumerate(symbols.name) AS n
WHERE ${RANGE} AND ${TENANT}
  AND ({kind:String} = '' OR startsWith(symbols.name[n], {kind:String}))
  AND ({sender:String} = '' OR positionCaseInsensitiveUTF8(mail_from, {sender:String}) > 0)
  AND ({ip:String} = '' OR startsWith(client_ip, {ip:String}))
  AND ({text:String} = '' OR positionCaseInsensitiveUTF8(subject, {text:String}) > 0 OR positionCaseInsensitiveUTF8(symbols.detail[n], {text:String}) > 0)
  AND (received_at, id, n) < (fromUnixTimestamp64Milli({afterMs:Int64}, 'UTC'), {afterId:String}, {afterPosition:UInt32})
ORDER BY received_at DESC, id DESC, n DESC
LIMIT {fetch:UInt32}`;

const DELIVERIES_SQL = `
SELECT recipient, status, downstream, response, attempts, toUnixTimestamp64Milli(at) AS atMs, node_id AS nodeId, tls_version AS tlsVersion
FROM deliveries FINAL WHERE message_id = {id:String} ORDER BY at, inserted_at ${FINAL_PER_PARTITION}`;

/**
 * Messages per UTC day, direction and action: whole hours from `messages_hourly`, the parts of an hour at
 * either end of the range ([fromMs, hourFromMs) and [hourToMs, toMs)) from `messages`.
 */
const DAILY_SQL = `
SELECT toString(day) AS day, direction, action, toUInt64(sum(n)) AS count FROM (
  SELECT toDate(hour) AS day, direction, action, messages AS n FROM messages_hourly
  WHERE hour >= toDateTime(intDiv({hourFromMs:Int64}, 1000), 'UTC') AND hour < toDateTime(intDiv({hourToMs:Int64}, 1000), 'UTC')
  UNION ALL
  SELECT toDate(received_at) AS day, direction, action, 1 AS n FROM messages
  WHERE ${RANGE} AND ${TENANT}
    AND (received_at < fromUnixTimestamp64Milli({hourFromMs:Int64}, 'UTC') OR received_at >= fromUnixTimestamp64Milli({hourToMs:Int64}, 'UTC'))
)
GROUP BY day, direction, action ORDER BY day, direction, action`;
const HOUR_MS = 3_600_000;

/**
 * Which of the ids the store holds already, whatever time their copy carries. Message ids sort by time (the
 * node's ULID-like ids), so the ids of one batch sit in a few granules of `message_times`.
 */
const STORED_IDS_SQL = `SELECT DISTINCT id FROM message_times WHERE id IN {ids:Array(String)}`;

const AUDIT_COLUMNS = `seq, toUnixTimestamp64Milli(at) AS atMs, admin, action, target, detail, ok, prev_hash AS prevHash, hash`;
const AUDIT_SEARCH_SQL = `
SELECT ${AUDIT_COLUMNS} FROM audit_log FINAL
WHERE at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
  AND ({admin:String} = '' OR admin = {admin:String})
  AND ({action:String} = '' OR action = {action:String} OR startsWith(action, concat({action:String}, '.')))
  AND ({target:String} = '' OR target = {target:String})
  AND ({scoped:UInt8} = 0 OR has({actors:Array(String)}, admin))
  AND ({beforeSeq:UInt64} = 0 OR seq < {beforeSeq:UInt64})
ORDER BY seq DESC LIMIT {limit:UInt32}`;
const AUDIT_AFTER_SQL = `SELECT ${AUDIT_COLUMNS} FROM audit_log FINAL WHERE seq > {afterSeq:UInt64} ORDER BY seq LIMIT {limit:UInt32}`;
/** The table the audit log lived in before the chain; read once to start the chain with its rows. */
const LEGACY_AUDIT_SQL = `
SELECT toUnixTimestamp64Milli(at) AS atMs, admin, action, target, detail, ok FROM audit
ORDER BY at, admin, action, target, detail, ok`;

/**
 * Counts per key and action over the range; for HOURLY_BREAKDOWNS whole hours come from `messages_keys_hourly`
 * and only the parts of an hour at either end from `messages` (as DAILY_SQL), for users all of it.
 */
const breakdownSql = (by: StatsBreakdown) => {
  const direction = `({direction:String} = '' OR direction = {direction:String})`;
  const raw = (range: string) => `SELECT key, action, 1 AS n FROM messages ARRAY JOIN ${BREAKDOWN_KEYS[by]} AS key WHERE ${range} AND ${direction} AND ${TENANT}`;
  const counted = isHourly(by)
    ? `
    SELECT key, action, messages AS n FROM messages_keys_hourly
    WHERE by = {by:String} AND hour >= toDateTime(intDiv({hourFromMs:Int64}, 1000), 'UTC') AND hour < toDateTime(intDiv({hourToMs:Int64}, 1000), 'UTC') AND ${direction}
    UNION ALL
    ${raw(`${RANGE} AND (received_at < fromUnixTimestamp64Milli({hourFromMs:Int64}, 'UTC') OR received_at >= fromUnixTimestamp64Milli({hourToMs:Int64}, 'UTC'))`)}`
    : raw(RANGE);
  return `
SELECT key, action, count, sum(count) OVER (PARTITION BY key) AS keyTotal FROM (
  SELECT key, action, toUInt64(sum(n)) AS count FROM (${counted}) GROUP BY key, action
)
ORDER BY keyTotal DESC, key, action
LIMIT {limit:UInt32}`;
};

const isHourly = (by: StatsBreakdown): boolean => (HOURLY_BREAKDOWNS as readonly string[]).includes(by);

/**
 * The whole hours inside a range: [hourFromMs, hourToMs), empty (both toMs) when it lies within one hour. The
 * hourly tables have no tenant: one tenant's counts (F18) come from `messages` alone (no whole hours).
 */
function wholeHours(range: TimeRange & TenantFilter): { hourFromMs: number; hourToMs: number } {
  if (range.tenant !== undefined) return { hourFromMs: range.toMs, hourToMs: range.toMs };
  const hourFromMs = Math.min(Math.ceil(range.fromMs / HOUR_MS) * HOUR_MS, range.toMs);
  return { hourFromMs, hourToMs: Math.max(Math.floor(range.toMs / HOUR_MS) * HOUR_MS, hourFromMs) };
}

/** The start of each dashboard bucket (UTC), in ms. */
const BUCKET_START: Record<DashboardBucket, string> = {
  hour: 'toUnixTimestamp(toStartOfHour(received_at)) * 1000',
  day: 'toUnixTimestamp(toStartOfDay(received_at)) * 1000',
};
/** Counts like DAILY_SQL's raw part: no FINAL, the ingest keeps one copy of each message. */
const bucketsSql = (bucket: DashboardBucket) => `
SELECT ${BUCKET_START[bucket]} AS startMs, direction, ${CATEGORY_SQL} AS category, count() AS count
FROM messages WHERE ${RANGE} AND ${TENANT}
GROUP BY startMs, direction, category ORDER BY startMs, direction, category`;

/**
 * Every top list in one read of the range: each message gives its (list, key) pairs (a message counts once per
 * key of a list), grouped and cut to TOP_ROWS keys per list, most messages first.
 */
const TOPS_SQL = `
SELECT pair.1 AS top, pair.2 AS key, count() AS count FROM (
  SELECT arrayDistinct(arrayMap(a -> lower(a), rcpt_to)) AS rcpts,
    arrayConcat(
      [('senders', lower(mail_from)), ('clientIps', client_ip)],
      arrayMap(r -> ('recipients', r), rcpts),
      arrayMap(r -> ('spamRecipients', r), if(${CATEGORY_SQL} = 'spam', rcpts, [])),
      arrayMap(v -> ('viruses', v), arrayDistinct(${VIRUS_NAMES_SQL})),
      arrayMap(s -> ('symbols', toString(s)), arrayDistinct(symbols.name))
    ) AS pairs
  FROM messages WHERE ${RANGE} AND ${TENANT}
)
ARRAY JOIN pairs AS pair
WHERE key != ''
GROUP BY top, key
ORDER BY top, count DESC, key
LIMIT ${TOP_ROWS} BY top`;

const EXPORTED_IDS_SQL = `SELECT DISTINCT id FROM export_log WHERE id IN {ids:Array(String)}`;
const LAST_EXPORT_SEQ_SQL = `SELECT max(seq) AS seq FROM export_log`;
const READ_EXPORT_SQL = `
SELECT seq, id, kind, toUnixTimestamp64Milli(at) AS atMs, event AS json FROM export_log
WHERE seq > {afterSeq:UInt64} ORDER BY seq LIMIT {limit:UInt32}`;

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

type DetailRow = Omit<MailDetail, 'symbols' | 'attachments' | 'deliveries'> & {
  symbolMaps: Record<string, string>[];
  attachmentMaps: Record<string, string>[];
};

/**
 * EventStoreRepository over ClickHouse through @clickhouse/client: chdb in-process (`chdb:<dir>`, the default)
 * or a ClickHouse server (`http(s)://...`). chdb plugs into the client as its Connection (chdb/connection), so
 * both run the same code and SQL; chdb is loaded only when configured.
 */
@Injectable()
export class ClickHouseEventStoreRepository extends EventStoreRepository implements OnApplicationShutdown {
  private readonly logger = new Logger('clickhouse');
  private client: Promise<ClickHouseClient> | undefined;

  constructor(private readonly config: CsmConfig) {
    super();
  }

  async ensureSchema(): Promise<void> {
    await this.open();
  }

  async insertEvents(messages: MessageEvent[], deliveries: DeliveryEvent[]): Promise<void> {
    const client = await this.open();
    const fresh = await this.unstored(messages);
    await insertCompact(client, 'messages', fresh.map(messageRow));
    await insertCompact(client, 'deliveries', deliveries.map(deliveryRow));
  }

  async insertAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length) await (await this.open()).insert({ table: 'audit_log', values: entries.map(auditRow), format: 'JSONEachRow' });
  }

  async hasAuditEntry(seq: number): Promise<boolean> {
    const [row] = await this.rows<{ n: number }>('SELECT count() AS n FROM audit_log WHERE seq = {seq:UInt64}', { seq });
    return Number(row?.n) > 0;
  }

  async legacyAudit(): Promise<AuditFields[]> {
    const [table] = await this.rows<{ name: string }>("SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'audit'", {});
    if (!table) return [];
    return (await this.rows<AuditFields>(LEGACY_AUDIT_SQL, {})).map((row) => ({ ...row, atMs: Number(row.atMs), ok: Boolean(row.ok) }));
  }

  async searchAudit(query: AuditQuery): Promise<AuditEntry[]> {
    const { actors, ...rest } = query;
    return (await this.rows<AuditEntry>(AUDIT_SEARCH_SQL, { ...rest, scoped: actors ? 1 : 0, actors: actors ?? [] })).map(normaliseAudit);
  }

  async auditAfter(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (await this.rows<AuditEntry>(AUDIT_AFTER_SQL, { afterSeq, limit })).map(normaliseAudit);
  }

  async searchMail(query: MailQuery): Promise<MailSummary[]> {
    // Without a position, (received_at, id) < (to, '') is just received_at < to.
    const after = query.after ?? { receivedAtMs: query.toMs, id: '' };
    const params: Record<string, unknown> = { fromMs: query.fromMs, toMs: query.toMs, tenant: query.tenant ?? '', afterMs: after.receivedAtMs, afterId: after.id };
    const sql = searchSql(mailConditionSql(query.where, params, await this.addressMatches(query)));
    const page = await pageWithoutCopies((fetch) => this.rows<MailSummary>(sql, { ...params, fetch }), (row) => row.id, query.limit);
    return this.withDeliveryState(page.map(normaliseSummary));
  }

  /** The stored addresses each sender or recipient part of the search matches, for the parts that match few (AddressMatches). */
  private async addressMatches(query: MailQuery): Promise<Map<string, string[]>> {
    const matches = new Map<string, string[]>();
    const lookUp = async ({ field, value }: { field: AddressField; value: string }) => {
      const rows = await this.rows<{ address: string; messages: number }>(ADDRESS_MATCHES_SQL, {
        role: ADDRESS_ROLES[field],
        part: value,
        fromMs: query.fromMs,
        toMs: query.toMs,
        limit: MAX_MATCHED_ADDRESSES + 1,
      });
      const messages = rows.reduce((sum, row) => sum + Number(row.messages), 0);
      if (rows.length <= MAX_MATCHED_ADDRESSES && messages <= MAX_MATCHED_MESSAGES) matches.set(addressMatchKey(field, value), rows.map((row) => row.address));
    };
    await Promise.all(addressParts(query.where).map(lookUp));
    return matches;
  }

  async getMail(id: string): Promise<MailDetail | undefined> {
    const [row] = await this.rows<DetailRow>(DETAIL_SQL, { id });
    if (!row) return undefined;
    const { symbolMaps, attachmentMaps, ...rest } = row;
    const [detail] = await this.withDeliveryState([normaliseSummary(rest)]);
    if (!detail) return undefined;
    const deliveries = await this.rows<MailDetail['deliveries'][number]>(DELIVERIES_SQL, { id });
    return {
      ...detail,
      tls: Boolean(rest.tls),
      symbols: symbolMaps.map((s) => ({ name: s.name ?? '', score: Number(s.score), detail: s.detail ?? '', stage: s.stage ?? '' })),
      attachments: attachmentMaps.map((a) => ({
        name: a.name ?? '',
        declaredType: a.declaredType ?? '',
        detectedType: a.detectedType ?? '',
        size: Number(a.size),
        sha256: a.sha256 ?? '',
      })),
      deliveries,
    };
  }

  async heldMail(query: HeldQuery): Promise<HeldMail[]> {
    const rows = await this.rows<MailSummary & { symbolNames: string[]; symbolScores: number[] }>(HELD_SQL, { ...query, tenant: query.tenant ?? '' });
    return rows.map(({ symbolNames, symbolScores, ...summary }) => ({
      ...normaliseSummary(summary),
      symbols: symbolNames.map((name, i) => ({ name, score: Number(symbolScores[i]) })),
    }));
  }

  /** ROWS with the latest DeliveryEvent's state over the one their MessageEvent carried, and the release flag. */
  private async withDeliveryState<T extends MailSummary>(rows: T[]): Promise<T[]> {
    if (!rows.length) return rows;
    const states = await this.rows<{ id: string; lastStatus: string; released: boolean | number }>(DELIVERY_STATE_SQL, { ids: rows.map((r) => r.id) });
    const byId = new Map(states.map((state) => [state.id, state]));
    return rows.map((row) => {
      const state = byId.get(row.id);
      return state ? { ...row, deliveryStatus: state.lastStatus, released: Boolean(state.released) } : row;
    });
  }

  async securityLog(query: SecurityLogQuery): Promise<SecurityFinding[]> {
    const after = query.after ?? { atMs: query.toMs, messageId: '', position: 0 };
    const params = { fromMs: query.fromMs, toMs: query.toMs, tenant: query.tenant ?? '', kind: query.kind, sender: query.sender, ip: query.ip, text: query.text, afterMs: after.atMs, afterId: after.messageId, afterPosition: after.position };
    const rows = await pageWithoutCopies((fetch) => this.rows<SecurityFinding>(SECURITY_LOG_SQL, { ...params, fetch }), (r) => `${r.messageId} ${r.position}`, query.limit);
    return rows.map((r) => ({ ...r, atMs: Number(r.atMs), position: Number(r.position), score: Number(r.score) }));
  }

  async stats(range: TimeRange & TenantFilter): Promise<Stats> {
    const daily = (await this.rows<Stats['daily'][number]>(DAILY_SQL, { fromMs: range.fromMs, toMs: range.toMs, tenant: range.tenant ?? '', ...wholeHours(range) })).map((r) => ({ ...r, count: Number(r.count) }));
    const totals = new Map<string, Stats['byDirectionAction'][number]>();
    for (const { direction, action, count } of daily) {
      const key = `${direction} ${action}`;
      const row = totals.get(key) ?? { direction, action, count: 0 };
      row.count += count;
      totals.set(key, row);
    }
    const byDirectionAction = [...totals.values()].sort((a, b) => a.direction.localeCompare(b.direction) || a.action.localeCompare(b.action));
    return { total: daily.reduce((sum, row) => sum + row.count, 0), byDirectionAction, daily };
  }

  async breakdown(query: BreakdownQuery): Promise<BreakdownRow[]> {
    const params = { fromMs: query.fromMs, toMs: query.toMs, tenant: query.tenant ?? '', ...wholeHours(query), by: query.by, direction: query.direction, limit: MAX_BREAKDOWN_ROWS };
    const rows = await this.rows<BreakdownRow>(breakdownSql(query.by), params);
    return rows.map((r) => ({ key: r.key, action: r.action, count: Number(r.count) }));
  }

  async dashboard(query: DashboardQuery): Promise<DashboardCounts> {
    const range = { fromMs: query.fromMs, toMs: query.toMs, tenant: query.tenant ?? '' };
    const [buckets, tops] = await Promise.all([
      this.rows<BucketCount>(bucketsSql(query.bucket), range),
      this.rows<TopRow & { top: DashboardTop }>(TOPS_SQL, range),
    ]);
    const lists = Object.fromEntries(DASHBOARD_TOPS.map((top) => [top, [] as TopRow[]])) as Record<DashboardTop, TopRow[]>;
    for (const row of tops) lists[row.top].push({ key: row.key, count: Number(row.count) });
    return { buckets: buckets.map((b) => ({ ...b, startMs: Number(b.startMs), count: Number(b.count) })), tops: lists };
  }

  async health(): Promise<Health> {
    try {
      const [row] = await this.rows<{ version: string }>('SELECT version() AS version', {});
      return { ok: true, detail: `${this.describe()}, ClickHouse ${row?.version ?? 'unknown'}` };
    } catch (err) {
      return { ok: false, detail: `${this.describe()}: ${errorMessage(err)}` };
    }
  }

  async exportedIds(ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    return new Set((await this.rows<{ id: string }>(EXPORTED_IDS_SQL, { ids })).map((r) => r.id));
  }

  async lastExportSeq(): Promise<number> {
    const [row] = await this.rows<{ seq: number }>(LAST_EXPORT_SEQ_SQL, {});
    return Number(row?.seq ?? 0);
  }

  async insertExportRows(rows: ExportLogRow[], exportedAtMs: number): Promise<void> {
    if (!rows.length) return;
    const exported_at = dateTime64(exportedAtMs);
    const values = rows.map((r) => ({ seq: r.seq, id: r.id, kind: r.kind, at: dateTime64(r.atMs), event: r.json, exported_at }));
    await insertCompact(await this.open(), 'export_log', values);
  }

  async readExportRows(afterSeq: number, limit: number): Promise<ExportLogRow[]> {
    return (await this.rows<ExportLogRow>(READ_EXPORT_SQL, { afterSeq, limit })).map((r) => ({ ...r, seq: Number(r.seq), atMs: Number(r.atMs) }));
  }

  async onApplicationShutdown(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    await client?.close();
  }

  /** The client, once the schema exists. A failure (server down) is not kept: the next call tries again. */
  private open(): Promise<ClickHouseClient> {
    if (this.client) return this.client;
    const opening = this.createClient().then(async (client) => {
      try {
        for (const { table, create, timeColumn, layout } of RETAINED_TABLES) {
          await client.command({ query: create });
          if (layout) await this.migrate(client, table, create, layout);
          await this.applyRetention(client, table, timeColumn);
        }
        for (const query of ADDED_COLUMNS) await client.command({ query });
        await this.deriveTables(client);
        return client;
      } catch (err) {
        await client.close();
        throw err;
      }
    });
    opening.catch(() => {
      if (this.client === opening) this.client = undefined;
    });
    this.client = opening;
    return opening;
  }

  private async createClient(): Promise<ClickHouseClient> {
    // 64-bit integers as JSON numbers on both backends (counts and milliseconds stay far below 2^53).
    const clickhouse_settings = { output_format_json_quote_64bit_integers: 0 } as const;
    const target = this.config.clickhouse;
    if (/^https?:\/\//.test(target)) return createClient({ url: target, clickhouse_settings, application: 'moat-csm' });
    if (!target.startsWith('chdb:')) throw new UnavailableError(`MOAT_CLICKHOUSE must be chdb:<dir> or an http(s):// URL, got ${target}`);
    const { createChdbConnection } = await import('chdb/connection');
    this.logger.log(`embedded ClickHouse (chdb) at ${target.slice(5)}`);
    // chdb types its Connection with @clickhouse/client-common 1.23.0 while @clickhouse/client 1.23.1 bundles its
    // own copy of the same interface; they differ only in settings typings, hence the conversion.
    const connection = createChdbConnection({ path: target.slice(5) }) as unknown as ClientConnection;
    return createClient({ connection, clickhouse_settings });
  }

  /** MESSAGES without those the store holds already: a redelivered batch is not inserted again. */
  private async unstored(messages: MessageEvent[]): Promise<MessageEvent[]> {
    if (!messages.length) return [];
    const stored = new Set((await this.rows<{ id: string }>(STORED_IDS_SQL, { ids: messages.map((m) => m.id) })).map((r) => r.id));
    return stored.size ? messages.filter((m) => !stored.has(m.id)) : messages;
  }

  /**
   * A table made by an older CSM with another partitioning or order is copied into a new table of the current
   * layout (every row and column, copies collapsed), which then takes its name (EXCHANGE). A start interrupted
   * halfway leaves the old table in place and starts over; one interrupted after the exchange drops the old copy.
   * The views reading `messages` are dropped first (they follow the table, not its name) and made again by deriveTables.
   */
  private async migrate(client: ClickHouseClient, table: string, create: string, layout: { partitionKey: string; sortingKey: string }): Promise<void> {
    const staging = `${table}_migrating`;
    const [current] = await this.rowsOn<{ partitionKey: string; sortingKey: string }>(
      client,
      'SELECT partition_key AS partitionKey, sorting_key AS sortingKey FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
      { table },
    );
    await client.command({ query: `DROP TABLE IF EXISTS ${staging}` });
    if (!current || (current.partitionKey === layout.partitionKey && current.sortingKey === layout.sortingKey)) return;
    this.logger.log(`${table}: moving to the layout PARTITION BY ${layout.partitionKey} ORDER BY (${layout.sortingKey})`);
    if (table === 'messages') for (const { view } of DERIVED_TABLES) await client.command({ query: `DROP VIEW IF EXISTS ${view}` });
    await client.command({ query: create.replace(`EXISTS ${table} (`, `EXISTS ${staging} (`) });
    const columnsOf = (name: string) =>
      this.rowsOn<{ name: string; type: string }>(client, 'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {name:String} ORDER BY position', { name });
    const wanted = new Set((await columnsOf(staging)).map((c) => c.name));
    const columns = await columnsOf(table);
    // Columns the old table has and the new statement lacks (added by a later ALTER) come along.
    for (const column of columns) if (!wanted.has(column.name)) await client.command({ query: `ALTER TABLE ${staging} ADD COLUMN \`${column.name}\` ${column.type}` });
    const list = columns.map((c) => `\`${c.name}\``).join(', ');
    await client.command({
      query: `INSERT INTO ${staging} (${list}) SELECT ${list} FROM ${table} FINAL`,
      clickhouse_settings: { do_not_merge_across_partitions_select_final: 1, max_partitions_per_insert_block: '0' },
    });
    await client.command({ query: `EXCHANGE TABLES ${table} AND ${staging}` });
    await client.command({ query: `DROP TABLE ${staging}` });
    const [row] = await this.rowsOn<{ n: number }>(client, `SELECT count() AS n FROM ${table}`, {});
    this.logger.log(`${table}: ${Number(row?.n)} rows in the new layout`);
  }

  /** Fills each derived table whose view is missing from `messages`, then makes the view (DERIVED_TABLES). */
  private async deriveTables(client: ClickHouseClient): Promise<void> {
    for (const { table, view, select } of DERIVED_TABLES) {
      const [exists] = await this.rowsOn<{ name: string }>(client, 'SELECT name FROM system.tables WHERE database = currentDatabase() AND name = {view:String}', { view });
      if (exists) continue;
      await client.command({ query: `TRUNCATE TABLE ${table}` });
      await client.command({ query: `INSERT INTO ${table} ${select('messages FINAL')}`, clickhouse_settings: { do_not_merge_across_partitions_select_final: 1, max_partitions_per_insert_block: '0' } });
      await client.command({ query: `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view} TO ${table} AS ${select('messages')}` });
    }
  }

  /** Sets the TTL when the table's current one differs from MOAT_RETENTION_DAYS (ALTER rewrites parts, so only then). */
  private async applyRetention(client: ClickHouseClient, table: string, timeColumn: string): Promise<void> {
    const days = this.config.retentionDays;
    const [row] = await this.rowsOn<{ engine: string }>(client, 'SELECT engine_full AS engine FROM system.tables WHERE database = currentDatabase() AND name = {table:String}', { table });
    if (row?.engine.includes(`TTL toDateTime(${timeColumn}) + toIntervalDay(${days})`)) return;
    await client.command({ query: `ALTER TABLE ${table} MODIFY TTL toDateTime(${timeColumn}) + INTERVAL {days:UInt32} DAY`, query_params: { days } });
    this.logger.log(`${table}: retention set to ${days} days`);
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    return this.rowsOn<T>(await this.open(), query, params);
  }

  private async rowsOn<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  private describe(): string {
    return this.config.clickhouse.startsWith('chdb:') ? `chdb ${this.config.clickhouse.slice(5)}` : this.config.clickhouse.replace(/\/\/[^@/]*@/, '//');
  }
}

/**
 * LIMIT rows of a keyset page with one row per KEY: READ(fetch) gives the first `fetch` rows in order. When
 * copies leave the page short while READ had more rows, it is read again with room for more.
 */
export async function pageWithoutCopies<T>(read: (fetch: number) => Promise<T[]>, key: (row: T) => string, limit: number): Promise<T[]> {
  for (let fetch = limit + SPARE_ROWS; ; fetch *= 2) {
    const rows = await read(fetch);
    const seen = new Set<string>();
    const page: T[] = [];
    for (const row of rows) {
      if (seen.has(key(row))) continue;
      seen.add(key(row));
      page.push(row);
    }
    if (page.length >= limit || rows.length < fetch) return page.slice(0, limit);
  }
}

/** One INSERT of ROWS (objects with the same keys, in the same order) as JSONCompactEachRow: column names once, values as arrays. */
async function insertCompact(client: ClickHouseClient, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const [first] = rows;
  if (!first) return;
  const [column, ...others] = Object.keys(first);
  if (column === undefined) return;
  const columns: [string, ...string[]] = [column, ...others];
  await client.insert({ table, columns, values: rows.map((row) => columns.map((c) => row[c])), format: 'JSONCompactEachRow' });
}

function normaliseSummary<T extends MailSummary>(row: T): T {
  return { ...row, receivedAtMs: Number(row.receivedAtMs), score: Number(row.score), released: Boolean(row.released) };
}

function normaliseAudit(row: AuditEntry): AuditEntry {
  return { ...row, seq: Number(row.seq), atMs: Number(row.atMs), ok: Boolean(row.ok) };
}
