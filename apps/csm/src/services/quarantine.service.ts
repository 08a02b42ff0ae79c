import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EventStoreRepository, type MailSummary } from '../repositories/event-store.repository.js';
import { QuarantineRepository } from '../repositories/quarantine.repository.js';
import { errorMessage, InvalidInputError } from '../util/errors.js';
import { decodeMailCursor, encodeMailCursor } from '../util/mail-condition.js';
import { parseLimit, parseRange } from '../util/paging.js';
import { isQuarantineReason, QUARANTINE_REASONS, quarantineReason, type QuarantineReason } from '../util/quarantine-reason.js';
import { parseTextParam } from '../util/time-param.js';
import { AuditService } from './audit.service.js';
import { FleetService } from './fleet.service.js';
import { PolicyService } from './policy.service.js';
import { scopedTenant } from '../util/tenant-scope.js';
import { DEFAULT_TENANT } from '../repositories/config.repository.js';

export const DAY_MS = 24 * 3600 * 1000;
export const DEFAULT_QUARANTINE_LIMIT = 100;
export const MAX_QUARANTINE_LIMIT = 1000;
/** Held messages read for one listing (counts per reason cover these); more is reported as `truncated`. */
export const MAX_HELD_SCAN = 50_000;
/** Messages expired per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 1000;
/** The sweeper runs every tenth of the kept period, at least every 10 minutes and at most every 5 seconds. */
const MIN_SWEEP_MS = 5000;
const MAX_SWEEP_MS = 10 * 60_000;

export interface HeldRow extends MailSummary {
  nodeName: string;
  reason: QuarantineReason;
  /** The symbols the reason is read from (for spam: the highest-scoring ones). */
  reasonSymbols: string[];
  /** When the sweeper deletes it (received + quarantine.days of the current policy). */
  expiresAtMs: number;
}

export interface QuarantinePage {
  messages: HeldRow[];
  nextCursor: string | null;
  /** Held messages per reason (recipient and time filters applied, the reason filter not). */
  counts: Record<QuarantineReason, number>;
  /** Held messages matching the recipient and time filters. */
  total: number;
  /** The policy's quarantine.days. */
  days: number;
  /** More than MAX_HELD_SCAN messages are held in the range: counts and pages cover the newest of them. */
  truncated: boolean;
}

/** How often the sweeper runs for a kept period of DAYS. */
export function sweepIntervalMs(days: number): number {
  return Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, (days * DAY_MS) / 10));
}

/**
 * The quarantine as it is now (`GET /api/quarantine`): held messages grouped by the reason they are held, with
 * their expiry; and the sweeper that deletes those held longer than the policy's quarantine.days, audited as
 * `system`, with an `expired` delivery state so mail tracking shows what became of them.
 */
@Injectable()
export class QuarantineService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QuarantineService.name);
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly store: EventStoreRepository,
    private readonly quarantine: QuarantineRepository,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly fleet: FleetService,
  ) {}

  onApplicationBootstrap(): void {
    // A new policy may shorten the period: the next sweep is planned again from it.
    this.unwatch = this.policy.watch(0, () => void this.plan());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.unwatch?.();
    clearTimeout(this.timer);
  }

  /** `GET /api/quarantine?reason&rcpt&from&to&limit&cursor`: held messages, newest first, one page. */
  async list(query: Record<string, unknown>): Promise<QuarantinePage> {
    const problems: string[] = [];
    const limit = parseLimit(query['limit'], DEFAULT_QUARANTINE_LIMIT, MAX_QUARANTINE_LIMIT, problems);
    const range = parseRange(query['from'], query['to'], problems);
    const reason = parseTextParam('reason', query['reason']);
    if (reason && !isQuarantineReason(reason)) problems.push(`reason: must be one of ${QUARANTINE_REASONS.join(', ')}`);
    const rcpt = parseTextParam('rcpt', query['rcpt']) ?? '';
    if (problems.length) throw new InvalidInputError('invalid quarantine query', problems);
    const cursor = parseTextParam('cursor', query['cursor']);
    const after = cursor ? decodeMailCursor(cursor) : undefined;

    const tenant = scopedTenant();
    const { days } = (await this.policy.of(tenant ?? DEFAULT_TENANT).get()).policy.quarantine;
    const held = await this.store.heldMail({ ...range, rcpt, tenant, limit: MAX_HELD_SCAN + 1 });
    const names = new Map(this.fleet.list().map((n) => [n.id, n.name]));
    const counts = Object.fromEntries(QUARANTINE_REASONS.map((r) => [r, 0])) as Record<QuarantineReason, number>;
    const rows: HeldRow[] = held.slice(0, MAX_HELD_SCAN).map(({ symbols, ...m }) => {
      const why = quarantineReason(m.action, symbols);
      counts[why.reason] += 1;
      return { ...m, nodeName: names.get(m.nodeId) ?? m.nodeId, reason: why.reason, reasonSymbols: why.symbols, expiresAtMs: m.receivedAtMs + days * DAY_MS };
    });
    const matching = reason ? rows.filter((r) => r.reason === reason) : rows;
    const start = after ? matching.findIndex((r) => r.receivedAtMs < after.receivedAtMs || (r.receivedAtMs === after.receivedAtMs && r.id < after.id)) : 0;
    const page = start < 0 ? [] : matching.slice(start, start + limit);
    const last = page.at(-1);
    const more = start >= 0 && start + limit < matching.length;
    return { messages: page, nextCursor: more && last ? encodeMailCursor(last) : null, counts, total: rows.length, days, truncated: held.length > MAX_HELD_SCAN };
  }

  /**
   * Deletes the messages held longer than quarantine.days (at most SWEEP_BATCH a run): each audited as `system`
   * before its body goes, then recorded as `expired`. Returns how many; 0 when NATS or ClickHouse fails (logged).
   */
  async sweep(nowMs = Date.now()): Promise<number> {
    let expired = 0;
    try {
      const { days } = (await this.policy.get()).policy.quarantine;
      const due = await this.store.heldMail({ fromMs: 0, toMs: nowMs - days * DAY_MS, rcpt: '', limit: SWEEP_BATCH });
      for (const mail of due) {
        await this.audit.record({ admin: 'system', action: 'quarantine.expire', target: mail.id, detail: `held longer than quarantine.days (${days})` });
        const found = await this.quarantine.delete(mail.id);
        const response = `expired after ${days} days in the quarantine${found ? '' : ' (body was already gone)'}`;
        await this.store.insertEvents([], [{ messageId: mail.id, nodeId: mail.nodeId, recipient: '', result: { status: 'expired', downstream: '', response, attempts: 0, atMs: nowMs, tlsVersion: '' } }]);
        expired += 1;
      }
      if (expired > 0) this.logger.log(`quarantine: ${expired} messages expired (kept ${days} days)`);
    } catch (err) {
      this.logger.warn(`quarantine expiry sweep failed: ${errorMessage(err)}`);
    }
    return expired;
  }

  /** Plans the next sweep from the current policy's period (every 10 minutes while the policy cannot be read). */
  private async plan(): Promise<void> {
    const days = await this.policy.get().then(
      ({ policy }) => policy.quarantine.days,
      (err: unknown) => {
        this.logger.warn(`quarantine expiry: policy not readable (${errorMessage(err)})`);
        return undefined;
      },
    );
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.sweep().then(() => this.plan()), days === undefined ? MAX_SWEEP_MS : sweepIntervalMs(days));
    this.timer.unref();
  }
}
