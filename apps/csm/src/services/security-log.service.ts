import { Injectable } from '@nestjs/common';
import { EventStoreRepository, type SecurityFinding } from '../repositories/event-store.repository.js';
import { InvalidInputError } from '../util/errors.js';
import { decodeCursor, encodeCursor, parseLimit, parseRange } from '../util/paging.js';
import { parseTextParam } from '../util/time-param.js';
import { FleetService } from './fleet.service.js';
import { scopedTenant } from '../util/tenant-scope.js';

export const DEFAULT_FINDINGS_LIMIT = 100;
export const MAX_FINDINGS_LIMIT = 10_000;

export interface SecurityLogRow extends SecurityFinding {
  nodeName: string;
}

export interface SecurityLogPage {
  findings: SecurityLogRow[];
  nextCursor: string | null;
}

/** The security log (F15): one row per symbol that fired on a message, searchable by filter kind, sender, IP and text. */
@Injectable()
export class SecurityLogService {
  constructor(
    private readonly store: EventStoreRepository,
    private readonly fleet: FleetService,
  ) {}

  async search(query: Record<string, unknown>): Promise<SecurityLogPage> {
    const problems: string[] = [];
    const limit = parseLimit(query['limit'], DEFAULT_FINDINGS_LIMIT, MAX_FINDINGS_LIMIT, problems);
    const range = parseRange(query['from'], query['to'], problems);
    if (problems.length) throw new InvalidInputError('invalid security log search', problems);
    const cursor = parseTextParam('cursor', query['cursor']);
    const position = cursor ? decodeCursor(cursor, ['int', 'string', 'int'] as const) : undefined;
    const after = position && { atMs: position[0], messageId: position[1], position: position[2] };
    const param = (name: 'kind' | 'sender' | 'ip' | 'text') => parseTextParam(name, query[name])?.trim() ?? '';
    const rows = await this.store.securityLog({ ...range, tenant: scopedTenant(), kind: param('kind'), sender: param('sender'), ip: param('ip'), text: param('text'), limit: limit + 1, after });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const names = new Map(this.fleet.list().map((n) => [n.id, n.name]));
    return {
      findings: page.map((f) => ({ ...f, nodeName: names.get(f.nodeId) ?? f.nodeId })),
      nextCursor: rows.length > limit && last ? encodeCursor([last.atMs, last.messageId, last.position]) : null,
    };
  }
}
