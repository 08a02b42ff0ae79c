import { Injectable } from '@nestjs/common';
import {
  EventStoreRepository,
  type ActionName,
  type AuditEntry,
  type MailCondition,
  type MailDetail,
  type MailField,
  type MailQuery,
  type MailSummary,
  type MailSymbol,
} from '../repositories/event-store.repository.js';
import { DEFAULT_TENANT } from '../repositories/config.repository.js';
import { QuarantineRepository } from '../repositories/quarantine.repository.js';
import { scopedTenant } from '../util/tenant-scope.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { EXPORT_FORMATS, exportMail, isExportFormat, type ExportFormat } from '../util/table-export.js';
import { decodeMailCursor, encodeMailCursor, parseMailCondition } from '../util/mail-condition.js';
import { parseLimit, parseRange } from '../util/paging.js';
import { parseTextParam } from '../util/time-param.js';
import { explainVerdict, symbolMeaning, type VerdictExplanation } from '../util/verdict-explanation.js';
import { AuditService } from './audit.service.js';
import { ControlService } from './control.service.js';
import { FleetService } from './fleet.service.js';
import { PolicyService } from './policy.service.js';

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 10_000;
/** An export reads every page; beyond this many rows the search must be narrowed. */
export const MAX_EXPORT_ROWS = 100_000;
/** Actions after which the message body is held centrally and can be released. */
const RELEASABLE: ActionName[] = ['quarantine', 'hold'];

/** `GET /api/mail` parameters and the field each tests. */
const PARAM_FIELDS: Record<string, MailField> = {
  sender: 'sender',
  rcpt: 'rcpt',
  subject: 'subject',
  verdict: 'verdict',
  ip: 'clientIp',
  direction: 'direction',
  attachment: 'attachment',
  symbol: 'symbol',
  node: 'node',
  delivery: 'deliveryStatus',
  body: 'body',
  category: 'category',
  virus: 'virus',
};

/** A search as `POST /api/mail/search` takes it: a condition tree, a time range, a page size and a cursor. */
export interface MailSearchRequest {
  where?: unknown;
  from?: unknown;
  to?: unknown;
  limit?: unknown;
  cursor?: unknown;
}

export interface MailRow extends MailSummary {
  /** The node's name (its id when the node is not enrolled any more). */
  nodeName: string;
}

export interface MailView extends MailDetail {
  /** Each symbol with a sentence saying what it means. */
  symbols: (MailSymbol & { meaning: string })[];
  /** Why the message got its action: the score under the thresholds, or the findings that forced it. */
  verdict: VerdictExplanation;
  /** Administrator actions on the message, oldest first (audit entries; views left out). */
  actions: AuditEntry[];
}

export interface MailPage {
  messages: MailRow[];
  /** Pass as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

export interface ReleaseResult {
  ok: boolean;
  nodeId: string;
  detail: string;
}

/** Mail search across all nodes, one message's record, and release of quarantined messages. */
@Injectable()
export class MailService {
  constructor(
    private readonly store: EventStoreRepository,
    private readonly control: ControlService,
    private readonly audit: AuditService,
    private readonly fleet: FleetService,
    private readonly quarantine: QuarantineRepository,
    private readonly policy: PolicyService,
  ) {}

  /** `GET /api/mail`: one parameter per field (all must match, or any with `match=any`), plus from, to, limit, cursor. */
  async searchByParams(query: Record<string, unknown>): Promise<MailPage> {
    const match = parseTextParam('match', query['match']) ?? 'all';
    if (match !== 'all' && match !== 'any') throw new InvalidInputError('invalid search', ['match: must be "all" or "any"']);
    const leaves = Object.entries(PARAM_FIELDS).flatMap(([param, field]) => {
      const value = parseTextParam(param, query[param]);
      return value ? [{ field, value }] : [];
    });
    const where = leaves.length ? (match === 'any' ? { or: leaves } : { and: leaves }) : undefined;
    return this.search({ where, from: query['from'], to: query['to'], limit: query['limit'], cursor: query['cursor'] });
  }

  /** Messages matching the request, newest first, one page; nextCursor continues it (never a silent cut). */
  async search(request: MailSearchRequest): Promise<MailPage> {
    const query = this.parseSearch(request);
    const rows = await this.store.searchMail({ ...query, tenant: scopedTenant(), limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const names = new Map(this.fleet.list().map((n) => [n.id, n.name]));
    return {
      messages: page.map((m) => ({ ...m, nodeName: names.get(m.nodeId) ?? m.nodeId })),
      nextCursor: rows.length > query.limit && last ? encodeMailCursor(last) : null,
    };
  }

  private parseSearch(request: MailSearchRequest): MailQuery {
    const problems: string[] = [];
    const limit = parseLimit(request.limit, DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, problems);
    const { fromMs, toMs } = parseRange(request.from, request.to, problems);
    if (problems.length) throw new InvalidInputError('invalid search', problems);
    const cursor = parseTextParam('cursor', request.cursor);
    const where = request.where === undefined || request.where === null ? undefined : this.withNodeIds(parseMailCondition(request.where));
    return { where, fromMs, toMs, limit, after: cursor ? decodeMailCursor(cursor) : undefined };
  }

  /** Node conditions name a node by name or id; the store knows ids. */
  private withNodeIds(condition: MailCondition): MailCondition {
    if ('and' in condition) return { and: condition.and.map((c) => this.withNodeIds(c)) };
    if ('or' in condition) return { or: condition.or.map((c) => this.withNodeIds(c)) };
    if (condition.field !== 'node') return condition;
    const node = this.fleet.list().find((n) => n.name === condition.value || n.id === condition.value);
    return { field: 'node', value: node?.id ?? condition.value };
  }

  /** Message ID; NotFoundError also when it is another tenant's than the call's (F18: existence does not leak). */
  async get(id: string): Promise<MailDetail> {
    const mail = inScope(await this.store.getMail(id));
    if (!mail) throw new NotFoundError(`no message with id ${id}`);
    return mail;
  }

  /**
   * One message as an administrator opens it, with what administrators did to it (release, deletion, reports:
   * who and when, from the audit log); the view itself is audited.
   */
  async view(id: string, admin: string): Promise<MailView> {
    const mail = await this.get(id);
    await this.audit.record({ admin, action: 'mail.view', target: id });
    // The thresholds the node judged with (its tenant's policy); the current ones once that version is no longer kept.
    const tenantPolicy = this.policy.of(mail.tenant || DEFAULT_TENANT);
    const policy = await tenantPolicy.atVersion(mail.policyVersion).catch(async () => (await tenantPolicy.get()).policy);
    return {
      ...mail,
      symbols: mail.symbols.map((s) => ({ ...s, meaning: symbolMeaning(s.name) })),
      verdict: explainVerdict(mail.action, mail.score, mail.symbols, policy.thresholds),
      actions: await this.audit.history(id),
    };
  }

  /**
   * Has a connected node deliver a quarantined message (the body is in the shared object store, so any node
   * can; the one that received it is asked first), then records the release as a `released` delivery state.
   */
  async release(id: string, admin: string): Promise<ReleaseResult> {
    const mail = await this.get(id);
    if (!RELEASABLE.includes(mail.action)) throw new ConflictError(`message ${id} was not quarantined or held (action ${mail.action})`);
    if (mail.released) throw new ConflictError(`message ${id} was already released`);
    if (mail.deliveryStatus === 'deleted') throw new ConflictError(`message ${id} was deleted from the quarantine`);
    const nodeId = this.control.connected(mail.nodeId) ? mail.nodeId : this.control.connectedNodes()[0];
    if (!nodeId) throw new UnavailableError('no scan node is connected to the CSM to deliver the message');
    const reply = await this.control.release(nodeId, id).catch((err: unknown) => ({ ok: false, error: errorMessage(err), detail: '' }));
    await this.audit.recordQuietly({ admin, action: 'mail.release', target: id, detail: reply.ok ? `via node ${nodeId}` : reply.error, ok: reply.ok });
    if (!reply.ok) return { ok: false, nodeId, detail: reply.error || 'the node refused the release' };
    await this.store.insertEvents([], [
      { messageId: id, nodeId, recipient: '', result: { status: 'released', downstream: '', response: reply.detail, attempts: 0, atMs: Date.now(), tlsVersion: '' } },
    ]);
    return { ok: true, nodeId, detail: reply.detail || 'released' };
  }

  /** Deletes a quarantined or held message's body from the object store; the message shows as `deleted`. */
  async deleteFromQuarantine(id: string, admin: string): Promise<void> {
    const mail = await this.get(id);
    if (!RELEASABLE.includes(mail.action)) throw new ConflictError(`message ${id} was not quarantined or held (action ${mail.action})`);
    if (mail.released) throw new ConflictError(`message ${id} was released; its body is not in the quarantine`);
    if (mail.deliveryStatus === 'deleted') throw new ConflictError(`message ${id} was already deleted`);
    await this.audit.record({ admin, action: 'mail.delete', target: id });
    const found = await this.quarantine.delete(id);
    await this.store.insertEvents([], [
      { messageId: id, nodeId: mail.nodeId, recipient: '', result: { status: 'deleted', downstream: '', response: found ? `deleted by ${admin}` : `deleted by ${admin} (body was already gone)`, attempts: 0, atMs: Date.now(), tlsVersion: '' } },
    ]);
  }

  /**
   * Every message a `GET /api/mail` search matches (all pages), as a CSV or XLSX file; audited. More than
   * MAX_EXPORT_ROWS is refused rather than cut short.
   */
  async export(query: Record<string, unknown>, admin: string): Promise<{ format: ExportFormat; bytes: Buffer; rows: number }> {
    const format = parseTextParam('format', query['format']) ?? 'csv';
    if (!isExportFormat(format)) throw new InvalidInputError('invalid export', [`format: must be one of ${EXPORT_FORMATS.join(', ')}`]);
    const rows: MailRow[] = [];
    let cursor: string | null | undefined = parseTextParam('cursor', query['cursor']);
    do {
      const page = await this.searchByParams({ ...query, limit: String(MAX_SEARCH_LIMIT), cursor });
      rows.push(...page.messages);
      if (rows.length > MAX_EXPORT_ROWS) throw new InvalidInputError('too many messages to export', [`more than ${MAX_EXPORT_ROWS} messages match: narrow the time range or the conditions`]);
      cursor = page.nextCursor;
    } while (cursor);
    const conditions = Object.entries(query).filter(([key]) => key !== 'format').map(([key, value]) => `${key}=${String(value)}`);
    await this.audit.record({ admin, action: 'mail.export', target: format, detail: `${rows.length} messages; ${conditions.join(' ') || 'all'}` });
    return { format, bytes: await exportMail(rows, format), rows: rows.length };
  }
}

/** MAIL when the current call may see its tenant's messages (util/tenant-scope.ts), else undefined. */
export function inScope<T extends { tenant: string }>(mail: T | undefined): T | undefined {
  const tenant = scopedTenant();
  return mail && (tenant === undefined || mail.tenant === tenant) ? mail : undefined;
}
