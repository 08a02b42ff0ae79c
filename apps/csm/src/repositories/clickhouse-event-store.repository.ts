import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { CsmConfig } from '../csm-config.js';
import { errorMessage, UnavailableError } from '../util/errors.js';
import { auditRow, dateTime64, deliveryRow, messageRow } from './clickhouse-rows.js';
import { RETAINED_TABLES } from './clickhouse-schema.js';
import {
  EventStoreRepository,
  type AuditEntry,
  type ExportLogRow,
  type MailDetail,
  type MailQuery,
  type MailSummary,
  type Stats,
  type TimeRange,
} from './event-store.repository.js';
import type { Health } from './nats.repository.js';

// Every query takes its values as ClickHouse parameters ({name:Type}); no value is ever spliced into SQL.

/** Selects one message per row in the MailSummary shape; expects the message table as `m`, deliveries as `d`. */
const SUMMARY_COLUMNS = `
  m.id AS id, toUnixTimestamp64Milli(m.received_at) AS receivedAtMs, m.node_id AS nodeId, m.direction AS direction,
  m.mail_from AS mailFrom, m.rcpt_to AS rcptTo, m.subject AS subject, m.client_ip AS clientIp, m.action AS action,
  m.score AS score, if(d.message_id = '', m.delivery_status, d.last_status) AS deliveryStatus, d.released AS released`;

/** Latest delivery state and release flag per message, for the messages in the CTE `picked`. */
const DELIVERY_STATE = `
  SELECT message_id, argMax(status, at) AS last_status, max(status = 'released') AS released
  FROM deliveries FINAL WHERE message_id IN (SELECT id FROM picked) GROUP BY message_id`;

const SEARCH_SQL = `
WITH picked AS (
  SELECT * FROM messages FINAL
  WHERE received_at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')
    AND ({sender:String} = '' OR positionCaseInsensitiveUTF8(mail_from, {sender:String}) > 0)
    AND ({rcpt:String} = '' OR arrayExists(r -> positionCaseInsensitiveUTF8(r, {rcpt:String}) > 0, rcpt_to))
    AND ({subject:String} = '' OR positionCaseInsensitiveUTF8(subject, {subject:String}) > 0)
    AND ({verdict:String} = '' OR action = {verdict:String})
  ORDER BY received_at DESC
  LIMIT {limit:UInt32}
)
SELECT ${SUMMARY_COLUMNS}
FROM picked AS m LEFT JOIN (${DELIVERY_STATE}) AS d ON d.message_id = m.id
ORDER BY receivedAtMs DESC`;

const DETAIL_SQL = `
WITH picked AS (SELECT * FROM messages FINAL WHERE id = {id:String})
SELECT ${SUMMARY_COLUMNS},
  m.tenant AS tenant, m.client_hostname AS clientHostname, m.helo AS helo, m.tls AS tls,
  m.authenticated_user AS authenticatedUser, m.header_from AS headerFrom, m.header_to AS headerTo,
  m.header_message_id AS headerMessageId, m.header_date AS headerDate, m.reply_to AS replyTo, m.urls AS urls,
  m.policy_version AS policyVersion, m.size_bytes AS sizeBytes, m.smtp_reply AS smtpReply,
  map('sessionMs', m.session_ms, 'scanMs', m.scan_ms, 'spoolMs', m.spool_ms) AS timings,
  arrayMap((n, s, t, g) -> map('name', n, 'score', toString(s), 'detail', t, 'stage', g),
    m.symbols.name, m.symbols.score, m.symbols.detail, m.symbols.stage) AS symbolMaps,
  arrayMap((n, dt, ct, z, h) -> map('name', n, 'declaredType', dt, 'detectedType', ct, 'size', toString(z), 'sha256', h),
    m.attachments.name, m.attachments.declared_type, m.attachments.detected_type, m.attachments.size, m.attachments.sha256) AS attachmentMaps
FROM picked AS m LEFT JOIN (${DELIVERY_STATE}) AS d ON d.message_id = m.id`;

const DELIVERIES_SQL = `
SELECT recipient, status, downstream, response, attempts, toUnixTimestamp64Milli(at) AS atMs, node_id AS nodeId
FROM deliveries FINAL WHERE message_id = {id:String} ORDER BY at, inserted_at`;

const RANGE = `received_at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`;
const BY_DIRECTION_ACTION_SQL = `
SELECT direction, action, count() AS count FROM messages FINAL WHERE ${RANGE}
GROUP BY direction, action ORDER BY direction, action`;
const DAILY_SQL = `
SELECT toString(toDate(received_at)) AS day, direction, action, count() AS count FROM messages FINAL WHERE ${RANGE}
GROUP BY day, direction, action ORDER BY day, direction, action`;

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

  async insertAudit(entry: AuditEntry): Promise<void> {
    await (await this.open()).insert({ table: 'audit', values: [auditRow(entry)], format: 'JSONEachRow' });
  }

  async searchMail(query: MailQuery): Promise<MailSummary[]> {
    return (await this.rows<MailSummary>(SEARCH_SQL, { ...query })).map(normaliseSummary);
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

  async stats(range: TimeRange): Promise<Stats> {
    const byDirectionAction = await this.rows<Stats['byDirectionAction'][number]>(BY_DIRECTION_ACTION_SQL, { ...range });
    const daily = await this.rows<Stats['daily'][number]>(DAILY_SQL, { ...range });
    return { total: byDirectionAction.reduce((sum, row) => sum + row.count, 0), byDirectionAction, daily };
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
