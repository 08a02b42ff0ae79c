import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { CsmConfig } from '../csm-config.js';
import { errorMessage, UnavailableError } from '../util/errors.js';
import { mailConditionSql } from './clickhouse-mail-query.js';
import { auditRow, dateTime64, deliveryRow, messageRow } from './clickhouse-rows.js';
import { ADDED_COLUMNS, RETAINED_TABLES } from './clickhouse-schema.js';
import {
  EventStoreRepository,
  MAX_BREAKDOWN_ROWS,
  type AuditEntry,
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
  type TimeRange,
} from './event-store.repository.js';
import type { Health } from './nats.repository.js';

// Every query takes its values as ClickHouse parameters ({name:Type}); no value is ever spliced into SQL.

/**
 * FINAL collapses the rows of one message only within a partition: the copies of one event always share its
 * partition (received_at is the event's). Without this setting FINAL merges across partitions and a search
 * over the last day of a year of mail read every partition (benchmarks/csm/queries.mjs: 660 ms -> 10 ms).
 */
const FINAL_PER_PARTITION = 'SETTINGS do_not_merge_across_partitions_select_final = 1';

/** Selects one message per row in the MailSummary shape; expects the message table as `m`, deliveries as `d`. */
const SUMMARY_COLUMNS = `
  m.id AS id, toUnixTimestamp64Milli(m.received_at) AS receivedAtMs, m.node_id AS nodeId, m.direction AS direction,
  m.mail_from AS mailFrom, m.rcpt_to AS rcptTo, m.subject AS subject, m.client_ip AS clientIp, m.action AS action,
  m.score AS score, if(d.message_id = '', m.delivery_status, d.last_status) AS deliveryStatus, d.released AS released,
  m.attachments.name AS attachmentNames`;

/** Latest delivery state and release flag per message, for the messages in the CTE `picked`. */
const DELIVERY_STATE = `
  SELECT message_id, argMax(status, at) AS last_status, max(status = 'released') AS released
  FROM deliveries FINAL WHERE message_id IN (SELECT id FROM picked) GROUP BY message_id`;

/**
 * Search over `messages` with the condition WHERE, newest first, keyset-paged on (received_at, id): each page
 * starts after the last row of the one before, so rows arriving meanwhile never shift or repeat a page.
 */
const searchSql = (where: string) => `
WITH picked AS (
  SELECT * FROM messages FINAL
  WHERE received_at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
    AND (received_at, id) < (fromUnixTimestamp64Milli({afterMs:Int64}, 'UTC'), {afterId:String})
    AND ${where}
  ORDER BY received_at DESC, id DESC
  LIMIT {limit:UInt32}
)
SELECT ${SUMMARY_COLUMNS}
FROM picked AS m LEFT JOIN (${DELIVERY_STATE}) AS d ON d.message_id = m.id
ORDER BY receivedAtMs DESC, id DESC
${FINAL_PER_PARTITION}`;

const DETAIL_SQL = `
WITH picked AS (SELECT * FROM messages FINAL WHERE id = {id:String})
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
FROM picked AS m LEFT JOIN (${DELIVERY_STATE}) AS d ON d.message_id = m.id
${FINAL_PER_PARTITION}`;

/**
 * The quarantine now: quarantined and held messages in the range whose latest state is not a release, a deletion
 * or an expiry, newest first, with their symbols (the quarantine's reason is read from them).
 */
const HELD_SQL = `
WITH picked AS (
  SELECT * FROM messages FINAL
  WHERE received_at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
    AND action IN ('quarantine', 'hold')
    AND ({rcpt:String} = '' OR arrayExists(r -> positionCaseInsensitiveUTF8(r, {rcpt:String}) > 0, rcpt_to))
)
SELECT ${SUMMARY_COLUMNS}, m.symbols.name AS symbolNames, m.symbols.score AS symbolScores
FROM picked AS m LEFT JOIN (${DELIVERY_STATE}) AS d ON d.message_id = m.id
WHERE d.released = 0 AND if(d.message_id = '', m.delivery_status, d.last_status) NOT IN ('deleted', 'expired')
ORDER BY receivedAtMs DESC, id DESC
LIMIT {limit:UInt32}
${FINAL_PER_PARTITION}`;

/** One row per symbol of each message (ARRAY JOIN over the positions), keyset-paged like the mail search. */
const SECURITY_LOG_SQL = `
SELECT toUnixTimestamp64Milli(received_at) AS atMs, id AS messageId, node_id AS nodeId, n AS position,
  symbols.name[n] AS symbol, symbols.score[n] AS score, symbols.detail[n] AS detail, symbols.stage[n] AS stage,
  mail_from AS sender, subject, client_ip AS clientIp, action
FROM messages FINAL ARRAY JOIN arrayEnumerate(symbols.name) AS n
WHERE received_at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
  AND ({kind:String} = '' OR startsWith(symbols.name[n], {kind:String}))
  AND (received_at, id, n) < (fromUnixTimestamp64Milli({afterMs:Int64}, 'UTC'), {afterId:String}, {afterPosition:UInt32})
ORDER BY received_at DESC, id DESC, n DESC
LIMIT {limit:UInt32}
${FINAL_PER_PARTITION}`;

const DELIVERIES_SQL = `
SELECT recipient, status, downstream, response, attempts, toUnixTimestamp64Milli(at) AS atMs, node_id AS nodeId, tls_version AS tlsVersion
FROM deliveries FINAL WHERE message_id = {id:String} ORDER BY at, inserted_at`;

const RANGE = `received_at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`;
const BY_DIRECTION_ACTION_SQL = `
SELECT direction, action, count() AS count FROM messages FINAL WHERE ${RANGE}
GROUP BY direction, action ORDER BY direction, action ${FINAL_PER_PARTITION}`;
const DAILY_SQL = `
SELECT toString(toDate(received_at)) AS day, direction, action, count() AS count FROM messages FINAL WHERE ${RANGE}
GROUP BY day, direction, action ORDER BY day, direction, action ${FINAL_PER_PARTITION}`;

const AUDIT_COLUMNS = `seq, toUnixTimestamp64Milli(at) AS atMs, admin, action, target, detail, ok, prev_hash AS prevHash, hash`;
const AUDIT_SEARCH_SQL = `
SELECT ${AUDIT_COLUMNS} FROM audit_log FINAL
WHERE at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
  AND ({admin:String} = '' OR admin = {admin:String})
  AND ({action:String} = '' OR action = {action:String} OR startsWith(action, concat({action:String}, '.')))
  AND ({target:String} = '' OR target = {target:String})
  AND ({beforeSeq:UInt64} = 0 OR seq < {beforeSeq:UInt64})
ORDER BY seq DESC LIMIT {limit:UInt32}`;
const AUDIT_AFTER_SQL = `SELECT ${AUDIT_COLUMNS} FROM audit_log FINAL WHERE seq > {afterSeq:UInt64} ORDER BY seq LIMIT {limit:UInt32}`;
/** The table the audit log lived in before the chain; read once to start the chain with its rows. */
const LEGACY_AUDIT_SQL = `
SELECT toUnixTimestamp64Milli(at) AS atMs, admin, action, target, detail, ok FROM audit
ORDER BY at, admin, action, target, detail, ok`;

/** The breakdown key of each message row (an array: a message counts once for each of its keys). */
const BREAKDOWN_KEYS: Record<StatsBreakdown, string> = {
  domain: `arrayDistinct(arrayMap(a -> lower(substring(a, position(a, '@') + 1)), if(direction = 'outbound', [mail_from], rcpt_to)))`,
  user: `arrayDistinct(arrayMap(a -> lower(a), if(direction = 'outbound', [mail_from], rcpt_to)))`,
  reason: `if(action = 'deliver', [], [if(empty(symbols.name), 'score', symbols.name[indexOf(symbols.score, arrayMax(symbols.score))])])`,
  symbol: `arrayDistinct(symbols.name)`,
};
const breakdownSql = (by: StatsBreakdown) => `
SELECT key, action, count, sum(count) OVER (PARTITION BY key) AS keyTotal FROM (
  SELECT key, action, count() AS count FROM messages FINAL ARRAY JOIN ${BREAKDOWN_KEYS[by]} AS key
  WHERE ${RANGE} AND ({direction:String} = '' OR direction = {direction:String})
  GROUP BY key, action
)
ORDER BY keyTotal DESC, key, action
LIMIT {limit:UInt32}
${FINAL_PER_PARTITION}`;

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
    if (messages.length) await client.insert({ table: 'messages', values: messages.map(messageRow), format: 'JSONEachRow' });
    if (deliveries.length) await client.insert({ table: 'deliveries', values: deliveries.map(deliveryRow), format: 'JSONEachRow' });
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
    return (await this.rows<AuditEntry>(AUDIT_SEARCH_SQL, { ...query })).map(normaliseAudit);
  }

  async auditAfter(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return (await this.rows<AuditEntry>(AUDIT_AFTER_SQL, { afterSeq, limit })).map(normaliseAudit);
  }

  async searchMail(query: MailQuery): Promise<MailSummary[]> {
    // Without a position, (received_at, id) < (to, '') is just received_at < to.
    const after = query.after ?? { receivedAtMs: query.toMs, id: '' };
    const params: Record<string, unknown> = { fromMs: query.fromMs, toMs: query.toMs, afterMs: after.receivedAtMs, afterId: after.id, limit: query.limit };
    const where = mailConditionSql(query.where, params);
    return (await this.rows<MailSummary>(searchSql(where), params)).map(normaliseSummary);
  }

  async getMail(id: string): Promise<MailDetail | undefined> {
    const [row] = await this.rows<DetailRow>(DETAIL_SQL, { id });
    if (!row) return undefined;
    const deliveries = await this.rows<MailDetail['deliveries'][number]>(DELIVERIES_SQL, { id });
    const { symbolMaps, attachmentMaps, ...rest } = row;
    return {
      ...normaliseSummary(rest),
      ...rest,
      released: Boolean(rest.released),
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
    const rows = await this.rows<MailSummary & { symbolNames: string[]; symbolScores: number[] }>(HELD_SQL, { ...query });
    return rows.map(({ symbolNames, symbolScores, ...summary }) => ({
      ...normaliseSummary(summary),
      symbols: symbolNames.map((name, i) => ({ name, score: Number(symbolScores[i]) })),
    }));
  }

  async securityLog(query: SecurityLogQuery): Promise<SecurityFinding[]> {
    const after = query.after ?? { atMs: query.toMs, messageId: '', position: 0 };
    const params = { fromMs: query.fromMs, toMs: query.toMs, kind: query.kind, afterMs: after.atMs, afterId: after.messageId, afterPosition: after.position, limit: query.limit };
    const rows = await this.rows<SecurityFinding>(SECURITY_LOG_SQL, params);
    return rows.map((r) => ({ ...r, atMs: Number(r.atMs), position: Number(r.position), score: Number(r.score) }));
  }

  async stats(range: TimeRange): Promise<Stats> {
    const byDirectionAction = await this.rows<Stats['byDirectionAction'][number]>(BY_DIRECTION_ACTION_SQL, { ...range });
    const daily = await this.rows<Stats['daily'][number]>(DAILY_SQL, { ...range });
    return { total: byDirectionAction.reduce((sum, row) => sum + row.count, 0), byDirectionAction, daily };
  }

  async breakdown(query: BreakdownQuery): Promise<BreakdownRow[]> {
    const rows = await this.rows<BreakdownRow>(breakdownSql(query.by), { fromMs: query.fromMs, toMs: query.toMs, direction: query.direction, limit: MAX_BREAKDOWN_ROWS });
    return rows.map((r) => ({ key: r.key, action: r.action, count: Number(r.count) }));
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
    await (await this.open()).insert({ table: 'export_log', values, format: 'JSONEachRow' });
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
        for (const { table, create, timeColumn } of RETAINED_TABLES) {
          await client.command({ query: create });
          await this.applyRetention(client, table, timeColumn);
        }
        for (const query of ADDED_COLUMNS) await client.command({ query });
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

function normaliseSummary<T extends MailSummary>(row: T): T {
  return { ...row, receivedAtMs: Number(row.receivedAtMs), score: Number(row.score), released: Boolean(row.released) };
}

function normaliseAudit(row: AuditEntry): AuditEntry {
  return { ...row, seq: Number(row.seq), atMs: Number(row.atMs), ok: Boolean(row.ok) };
}
