import { Injectable } from '@nestjs/common';
import {
  EventStoreRepository,
  MAX_BREAKDOWN_ROWS,
  STATS_BREAKDOWNS,
  type BreakdownQuery,
  type BreakdownRow,
  type DirectionName,
  type Stats,
  type StatsBreakdown,
} from '../repositories/event-store.repository.js';
import type { BodyStoreUsage } from '../repositories/body-store.repository.js';
import { NatsRepository, type Health } from '../repositories/nats.repository.js';
import { InvalidInputError } from '../util/errors.js';
import { parseRange } from '../util/paging.js';
import { EXPORT_FORMATS, exportTable, isExportFormat, type ExportFormat } from '../util/table-export.js';
import { parseTextParam } from '../util/time-param.js';
import { AuditService } from './audit.service.js';
import { FleetService, type NodeStatus } from './fleet.service.js';
import { MessageBodyService } from './message-body.service.js';
import { PolicyService } from './policy.service.js';
import { scopedTenant } from '../util/tenant-scope.js';

/** A breakdown (`GET /api/stats?by=...`). A message counts once per key, so total is the sum over keys. */
export interface Breakdown {
  by: StatsBreakdown;
  direction: DirectionName | '';
  total: number;
  /** True when MAX_BREAKDOWN_ROWS rows were returned: the rarest keys are left out. */
  truncated: boolean;
  rows: BreakdownRow[];
}

export type StatsView = Stats | Breakdown;

export interface StatsFile {
  format: ExportFormat;
  bytes: Buffer;
}

export interface CsmStatus {
  policyVersion: number;
  nats: Health;
  clickhouse: Health;
  nodes: NodeStatus[];
  /** Kept message bodies (moat_bodies and moat_quarantine); null while NATS cannot answer. */
  bodyStore: BodyStoreUsage | null;
}

/** The fleet overview (`GET /api/status`, `moat status`) and message statistics. */
@Injectable()
export class StatusService {
  constructor(
    private readonly nats: NatsRepository,
    private readonly store: EventStoreRepository,
    private readonly fleet: FleetService,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly bodies: MessageBodyService,
  ) {}

  async status(): Promise<CsmStatus> {
    const nats = this.nats.health();
    // Asked only while NATS is up: the status page must answer at once when it is not.
    const [clickhouse, bodyStore] = await Promise.all([this.store.health(), nats.ok ? this.bodies.usage() : null]);
    return { policyVersion: this.policy.currentVersion(), nats, clickhouse, nodes: this.fleet.list(), bodyStore };
  }

  /**
   * `GET /api/stats`: without `by`, counts by direction and action in total and per UTC day; with `by`
   * (domain, user, reason, symbol), counts per key and action, for one direction or both. `format=csv|xlsx`
   * makes it a file.
   */
  async query(query: Record<string, unknown>, admin: string): Promise<StatsView | StatsFile> {
    const problems: string[] = [];
    const range = parseRange(query['from'], query['to'], problems);
    const by = parseTextParam('by', query['by']) ?? '';
    if (by && !isBreakdown(by)) problems.push(`by: must be one of ${STATS_BREAKDOWNS.join(', ')}`);
    const direction = parseTextParam('direction', query['direction']) ?? '';
    if (direction && direction !== 'inbound' && direction !== 'outbound') problems.push('direction: must be inbound or outbound');
    const format = parseTextParam('format', query['format']);
    if (format !== undefined && !isExportFormat(format)) problems.push(`format: must be one of ${EXPORT_FORMATS.join(', ')}`);
    if (problems.length) throw new InvalidInputError('invalid statistics query', problems);
    const view: StatsView = isBreakdown(by)
      ? await this.breakdown({ ...range, tenant: scopedTenant(), by, direction: direction as DirectionName | '' })
      : await this.store.stats({ ...range, tenant: scopedTenant() });
    if (format === undefined || !isExportFormat(format)) return view;
    const bytes =
      'rows' in view
        ? await exportTable(`by ${view.by}`, [{ header: view.by, width: 32 }, { header: 'action', width: 12 }, { header: 'count', width: 10 }], view.rows.map((r) => [r.key, r.action, r.count]), format)
        : await exportTable('stats', [{ header: 'direction', width: 12 }, { header: 'action', width: 12 }, { header: 'count', width: 10 }], view.byDirectionAction.map((r) => [r.direction, r.action, r.count]), format);
    await this.audit.record({ admin, action: 'stats.export', target: format, detail: Object.entries(query).map(([k, v]) => `${k}=${String(v)}`).join(' ') });
    return { format, bytes };
  }

  private async breakdown(query: BreakdownQuery): Promise<Breakdown> {
    const rows = await this.store.breakdown(query);
    return { by: query.by, direction: query.direction, total: rows.reduce((sum, r) => sum + r.count, 0), truncated: rows.length >= MAX_BREAKDOWN_ROWS, rows };
  }

}

function isBreakdown(value: string): value is StatsBreakdown {
  return (STATS_BREAKDOWNS as readonly string[]).includes(value);
}
