import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigRepository } from '../repositories/config.repository.js';
import { EventStoreRepository, type AuditEntry, type AuditFields } from '../repositories/event-store.repository.js';
import { chainEntry, findChainBreak, type ChainBreak } from '../util/audit-chain.js';
import { errorMessage, InvalidInputError, UnavailableError } from '../util/errors.js';
import { parseLimit, parseRange } from '../util/paging.js';
import { scopedTenant } from '../util/tenant-scope.js';
import { parseTextParam } from '../util/time-param.js';
import { auditExport } from './export-events.js';
import { ExportLogService } from './export-log.service.js';

export interface AuditRecord {
  admin: string;
  action: string;
  target: string;
  detail?: string;
  ok?: boolean;
}

/** A tenant and the names of its administrators: what of the audit log and the event export it sees (F18). */
export interface TenantAuditScope {
  tenant: string;
  admins: string[];
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries checked, from firstSeq to lastSeq. */
  checked: number;
  firstSeq: number;
  lastSeq: number;
  /** The chain head in the config of record: entries up to it must be in the log. */
  headSeq: number;
  broken: ChainBreak | null;
}

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;
/** Attempts at appending before giving up when other CSM replicas keep moving the head. */
const APPEND_ATTEMPTS = 50;
const VERIFY_PAGE = 5000;
const QUIET_RETRY_MS = 5000;

/**
 * The audit log: who did what, when. Entries form a hash chain (util/audit-chain.ts) in ClickHouse `audit_log`,
 * and each goes to the export log too (event id `audit:<seq>`).
 * The order comes from the chain head in KV (`audit.head`), moved by compare-and-set, so entries from several
 * CSM replicas get one sequence. The head is moved before the entry is inserted; an entry whose insert failed is
 * written by the next append (the head holds it whole), so the chain has no gap.
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  private readonly logger = new Logger('audit');
  private appending: Promise<unknown> = Promise.resolve();
  /** The last seq this process knows to be in ClickHouse. */
  private storedSeq = 0;
  /** Entries for things that already happened (logins) that could not be stored yet, oldest first. */
  private readonly waiting: AuditFields[] = [];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStoreRepository,
    private readonly config: ConfigRepository,
    private readonly exportLog: ExportLogService,
  ) {}

  onApplicationShutdown(): void {
    clearTimeout(this.retryTimer);
    if (this.waiting.length) this.logger.error(`${this.waiting.length} audit entries not stored at shutdown: ${this.waiting.map(describe).join('; ')}`);
  }

  /** Records an entry; throws when it cannot be stored, so the audited change is not made unrecorded. */
  record(entry: AuditRecord): Promise<AuditEntry> {
    return this.serialised(async () => {
      await this.flushWaiting();
      return this.append(fieldsOf(entry));
    });
  }

  /**
   * Records an entry for something that already happened (a login). When NATS or ClickHouse is down the entry
   * waits in this process, in order, and is stored once they are back; it is logged meanwhile.
   */
  async recordQuietly(entry: AuditRecord): Promise<void> {
    const fields = fieldsOf(entry);
    await this.serialised(async () => {
      this.waiting.push(fields);
      await this.flushWaiting();
    }).catch((err: unknown) => {
      this.logger.warn(`audit entry ${describe(fields)} waits to be stored: ${errorMessage(err)}`);
      this.scheduleRetry();
    });
  }

  /** Entries newest first, filtered by admin, action (or action family) and time; `cursor` from the previous page. */
  async search(query: Record<string, unknown>): Promise<AuditPage> {
    const problems: string[] = [];
    const limit = parseLimit(query['limit'], DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT, problems);
    const cursorText = parseTextParam('cursor', query['cursor']) ?? '';
    if (cursorText && !/^[1-9]\d{0,15}$/.test(cursorText)) problems.push('cursor: must be the nextCursor of a previous page');
    const { fromMs, toMs } = parseRange(query['from'], query['to'], problems);
    if (problems.length) throw new InvalidInputError('invalid audit search', problems);
    const scope = await this.tenantScope();
    const entries = await this.store.searchAudit({
      ...(scope ? { actors: scope.admins } : {}),
      admin: parseTextParam('actor', query['actor']) ?? '',
      action: parseTextParam('action', query['action']) ?? '',
      target: parseTextParam('target', query['target']) ?? '',
      fromMs,
      toMs,
      beforeSeq: cursorText ? Number(cursorText) : 0,
      limit: limit + 1,
    });
    const page = entries.slice(0, limit);
    return { entries: page, nextCursor: entries.length > limit ? String(page.at(-1)?.seq) : null };
  }

  /** What administrators did to TARGET (a message id), oldest first, views left out: releases, deletions, reports. */
  /**
   * The current API call's tenant (util/tenant-scope.ts) and its administrators, whose audit entries it sees
   * (F18); undefined for a call that sees every tenant.
   */
  async tenantScope(): Promise<TenantAuditScope | undefined> {
    const tenant = scopedTenant();
    if (tenant === undefined) return undefined;
    return { tenant, admins: (await this.config.listAdmins()).filter((a) => a.tenant === tenant).map((a) => a.username) };
  }

  async history(target: string): Promise<AuditEntry[]> {
    const entries = await this.store.searchAudit({ admin: '', action: '', target, fromMs: 0, toMs: Date.now() + 24 * 3600 * 1000, beforeSeq: 0, limit: MAX_AUDIT_LIMIT });
    return entries.filter((e) => e.action !== 'mail.view').reverse();
  }

  /**
   * Checks the whole kept chain: every entry follows from the one before (seq, prevHash, hash), and the log
   * reaches the head in KV (entries removed from the end show as missing). Entries older than the retention
   * period are dropped by ClickHouse's TTL; the check starts at the oldest one kept.
   */
  async verify(): Promise<AuditVerification> {
    const head = (await this.config.getAuditHead())?.entry;
    let previous: AuditEntry | undefined;
    let firstSeq = 0;
    let checked = 0;
    let broken: ChainBreak | undefined;
    for (;;) {
      const page = await this.store.auditAfter(previous?.seq ?? 0, VERIFY_PAGE);
      const [first] = page;
      if (!first) break;
      firstSeq ||= first.seq;
      const found = findChainBreak(previous, page);
      if (found) {
        checked += page.filter((e) => e.seq < found.seq).length;
        broken = found;
        break;
      }
      checked += page.length;
      previous = page.at(-1);
    }
    const lastSeq = previous?.seq ?? 0;
    broken ??= headMismatch(head, previous);
    return { ok: !broken, checked, firstSeq, lastSeq, headSeq: head?.seq ?? 0, broken: broken ?? null };
  }

  /** Stores the waiting quiet entries; one that is in the chain but failed to insert is written by the next repair. */
  private async flushWaiting(): Promise<void> {
    for (let next = this.waiting[0]; next; next = this.waiting[0]) {
      const entry = await this.chain(next);
      this.waiting.shift();
      await this.insert(entry);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.serialised(async () => {
        await this.repairHead(await this.config.getAuditHead());
        await this.flushWaiting();
      }).catch(() => this.scheduleRetry());
    }, QUIET_RETRY_MS);
    this.retryTimer.unref();
  }

  private async append(fields: AuditFields): Promise<AuditEntry> {
    const entry = await this.chain(fields);
    await this.insert(entry);
    return entry;
  }

  /** Makes FIELDS the next entry by moving the head in KV; from then on it is in the chain. */
  private async chain(fields: AuditFields): Promise<AuditEntry> {
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const head = await this.config.getAuditHead();
      if (!head && (await this.startChainWithLegacyRows())) continue;
      await this.repairHead(head);
      const entry = chainEntry(head?.entry, fields);
      if (await this.config.putAuditHead(entry, head?.revision)) return entry;
    }
    throw new UnavailableError(`audit entry ${describe(fields)} not stored: the chain head kept moving`);
  }

  /** Stores ENTRY in the chain's table and the export log (by seq, so an entry written twice is exported once). */
  private async insert(entry: AuditEntry): Promise<void> {
    await this.store.insertAudit([entry]);
    await this.exportLog.append([auditExport(entry, String(entry.seq))]);
    this.storedSeq = entry.seq;
  }

  /** The writer that moved the head may have failed to insert its entry (ClickHouse was down): write it now. */
  private async repairHead(head: { entry: AuditEntry } | undefined): Promise<void> {
    if (!head || head.entry.seq === this.storedSeq || (await this.store.hasAuditEntry(head.entry.seq))) return;
    await this.insert(head.entry);
  }

  /**
   * Chains the rows of the table the audit log had before (`audit`) as the first entries. Deterministic (same
   * rows, same order, same hashes), so replicas doing it at once write the same entries. False when none.
   */
  private async startChainWithLegacyRows(): Promise<boolean> {
    const entries: AuditEntry[] = [];
    for (const fields of await this.store.legacyAudit()) entries.push(chainEntry(entries.at(-1), fields));
    const last = entries.at(-1);
    if (!last) return false;
    await this.store.insertAudit(entries);
    await this.config.putAuditHead(last, undefined);
    this.logger.log(`audit chain started with the ${entries.length} entries of the former audit table`);
    return true;
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.appending.then(task, task);
    this.appending = result.catch(() => undefined);
    return result;
  }
}

/** The log must end where the chain head in KV says it does: a shorter log lost entries, a longer one got forged ones. */
function headMismatch(head: AuditEntry | undefined, last: AuditEntry | undefined): ChainBreak | undefined {
  const lastSeq = last?.seq ?? 0;
  if (!head) return last ? { seq: 1, reason: 'the log has entries but the chain head in the config of record has none' } : undefined;
  if (head.seq > lastSeq) return { seq: lastSeq + 1, reason: `entries ${lastSeq + 1} to ${head.seq} are missing (the chain head is entry ${head.seq})` };
  if (head.seq < lastSeq) return { seq: head.seq + 1, reason: `entries ${head.seq + 1} to ${lastSeq} were added after the chain head (entry ${head.seq})` };
  if (head.hash !== last?.hash) return { seq: head.seq, reason: `entry ${head.seq} is not the one the chain head recorded` };
  return undefined;
}

function fieldsOf(entry: AuditRecord): AuditFields {
  return { atMs: Date.now(), detail: '', ok: true, ...entry };
}

function describe(fields: AuditFields): string {
  return `${fields.action} ${fields.target} by ${fields.admin} at ${new Date(fields.atMs).toISOString()}`;
}
