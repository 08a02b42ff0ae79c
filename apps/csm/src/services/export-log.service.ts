import { Injectable } from '@nestjs/common';
import type { ExportedEvent, ExportEvent } from '@moat/bus';
import { EventStoreRepository, type ExportLogRow } from '../repositories/event-store.repository.js';
import { InvalidInputError } from '../util/errors.js';
import type { TenantAuditScope } from './audit.service.js';

/** Positions per millisecond of wall time: a position is at least `now × SEQ_PER_MS` (see nextSeq). */
export const SEQ_PER_MS = 1000;
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** One page of GET /api/events: the events after the cursor, and the cursor to ask with next. */
export interface EventPage {
  events: ExportedEvent[];
  cursor: string;
}

/**
 * The export log: every exported event once, in one order, each at a position (`seq`) that is also the cursor
 * after it. This service is the log's only writer in the CSM: appends run one at a time, and each skips the
 * events whose id the log holds already (a redelivered MessageEvent, a replayed DeliveryEvent), so resuming
 * from a cursor never repeats an event; a position is used once and never below an earlier one, so it never
 * skips one either. Positions are `max(last + 1, now × 1000)`: increasing across restarts even when every
 * row has expired (retention), so an old cursor still resumes where it should.
 */
@Injectable()
export class ExportLogService {
  private last: number | undefined;
  private appending: Promise<unknown> = Promise.resolve();
  private waiters: (() => void)[] = [];

  constructor(private readonly store: EventStoreRepository) {}

  /** Appends EVENTS (those not exported before) in order; rejects when the store cannot take them. */
  append(events: ExportEvent[]): Promise<void> {
    const run = this.appending.then(() => this.write(events));
    this.appending = run.catch(() => undefined);
    return run;
  }

  /** Up to LIMIT events after position AFTERSEQ. */
  async read(afterSeq: number, limit: number): Promise<ExportedEvent[]> {
    return (await this.store.readExportRows(afterSeq, limit)).map(toEvent);
  }

  /** GET /api/events: CURSOR is a position ('' or absent: the beginning), LIMIT 1-1000 (default 100). */
  async page(cursor: string | undefined, limit: string | undefined, scope?: TenantAuditScope): Promise<EventPage> {
    const after = parseCursor(cursor);
    const read = await this.read(after, parseLimit(limit));
    // A tenant's caller (F18) gets its messages and findings and its administrators' audit entries; the cursor
    // still moves past what it does not see.
    const admins = new Set(scope?.admins);
    const events = scope ? read.filter((e) => ('tenant' in e && e.tenant === scope.tenant) || (e.kind === 'audit' && admins.has(e.admin))) : read;
    return { events, cursor: String(read.at(-1)?.seq ?? after) };
  }

  /** Resolves at the next append, or after TIMEOUTMS. */
  nextAppend(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.push(done);
    });
  }

  private async write(events: ExportEvent[]): Promise<void> {
    const present = await this.store.exportedIds([...new Set(events.map((e) => e.id))]);
    const fresh: ExportEvent[] = [];
    for (const event of events) {
      if (present.has(event.id)) continue;
      present.add(event.id);
      fresh.push(event);
    }
    if (!fresh.length) return;
    const now = Date.now();
    let seq = Math.max(this.last ?? (await this.store.lastExportSeq()), now * SEQ_PER_MS - 1);
    const rows: ExportLogRow[] = fresh.map((e) => ({ seq: ++seq, id: e.id, kind: e.kind, atMs: e.atMs, json: JSON.stringify(e) }));
    // Taken even if the insert fails: a retry gets new positions, and a gap is harmless (cursors are "after").
    this.last = seq;
    await this.store.insertExportRows(rows, now);
    for (const wake of this.waiters.splice(0)) wake();
  }
}

function toEvent(row: ExportLogRow): ExportedEvent {
  // The JSON is the ExportEvent this service wrote (write above); the position comes first in the output.
  return { seq: row.seq, ...(JSON.parse(row.json) as ExportEvent) };
}

const CURSOR = /^\d{1,16}$/;

function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  if (!CURSOR.test(cursor) || !Number.isSafeInteger(Number(cursor))) throw new InvalidInputError(`cursor must be a position from an earlier page (digits), got ${JSON.stringify(cursor.slice(0, 40))}`);
  return Number(cursor);
}

function parseLimit(limit: string | undefined): number {
  if (limit === undefined || limit === '') return DEFAULT_PAGE;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new InvalidInputError(`limit must be an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(limit.slice(0, 40))}`);
  return n;
}
