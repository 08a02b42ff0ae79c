import { DatePipe } from '@angular/common';
import { Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { switchMap } from 'rxjs';
import { ApiService } from '../api/api.service';
import { QUARANTINE_REASONS, type BulkAction, type HeldRow, type Permission, type QuarantinePage as Page, type QuarantineReason } from '../api/api.types';
import { describeHttpError, serverProblems } from '../api/http-error';
import { IdentityService } from '../auth/identity.service';
import { compactParams, isoToLocalInput, localInputToIso } from '../shared/url-state';
import { REASON_LABELS, expiresIn, parseDays } from './quarantine-view';

const PAGE_SIZE = 100;
const ACTIONS: { action: Extract<BulkAction, 'release' | 'delete'>; label: string; permission: Permission }[] = [
  { action: 'release', label: 'Release', permission: 'mail:release' },
  { action: 'delete', label: 'Delete', permission: 'mail:delete' },
];

/**
 * The quarantine now: held messages grouped by why they are held, with counts per reason, bulk release and
 * delete, each message's expiry, and the policy's expiry period (quarantine.days). Reason and recipient filters
 * live in the URL.
 */
@Component({
  selector: 'moat-quarantine-page',
  imports: [DatePipe, RouterLink],
  templateUrl: './quarantine.page.html',
  styleUrl: './quarantine.page.css',
})
export class QuarantinePage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);
  private readonly identity = inject(IdentityService);

  protected readonly reasons = QUARANTINE_REASONS;
  protected readonly reasonLabels = REASON_LABELS;
  protected readonly actions = ACTIONS.filter((a) => this.identity.can(a.permission));
  protected readonly canEditPolicy = this.identity.can('policy:write');

  protected readonly reason = signal<QuarantineReason | ''>('');
  protected readonly rcpt = signal('');
  /** Received from / before (ISO-8601, as in the URL and the API). */
  protected readonly from = signal('');
  protected readonly to = signal('');
  protected readonly localInput = isoToLocalInput;
  protected readonly summary = signal<Omit<Page, 'messages' | 'nextCursor'> | null>(null);
  protected readonly rows = signal<HeldRow[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly busy = signal(false);
  protected readonly outcome = signal<{ ok: boolean; text: string; failures: string[] } | null>(null);
  protected readonly nowMs = signal(Date.now());

  protected readonly daysDraft = signal('');
  protected readonly daysOutcome = signal<{ ok: boolean; text: string; problems: string[] } | null>(null);

  protected readonly allSelected = computed(() => this.rows().length > 0 && this.rows().every((r) => this.selected().has(r.id)));

  constructor() {
    inject(ActivatedRoute)
      .queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((params) => {
        const reason = params.get('reason') ?? '';
        this.reason.set((QUARANTINE_REASONS as readonly string[]).includes(reason) ? (reason as QuarantineReason) : '');
        this.rcpt.set(params.get('rcpt') ?? '');
        this.from.set(params.get('from') ?? '');
        this.to.set(params.get('to') ?? '');
        this.reload();
      });
  }

  protected expires(row: HeldRow): string {
    return expiresIn(row.expiresAtMs, this.nowMs());
  }

  protected filter(reason: QuarantineReason | '', rcpt: string): void {
    void this.router.navigate([], { queryParams: compactParams({ reason, rcpt, from: this.from(), to: this.to() }) });
  }

  /** Filters by the form's recipient and times (datetime-local values, the browser's time zone). */
  protected filterForm(rcpt: string, fromLocal: string, toLocal: string): void {
    this.from.set(localInputToIso(fromLocal));
    this.to.set(localInputToIso(toLocal));
    this.filter(this.reason(), rcpt);
  }

  protected toggle(id: string): void {
    this.selected.update((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }

  protected toggleAll(): void {
    this.selected.set(this.allSelected() ? new Set() : new Set(this.rows().map((r) => r.id)));
  }

  protected act(action: BulkAction, label: string): void {
    const ids = [...this.selected()];
    if (ids.length === 0 || this.busy()) return;
    this.busy.set(true);
    this.outcome.set(null);
    this.api.mailAction(action, ids).subscribe({
      next: (result) => {
        this.busy.set(false);
        this.outcome.set({
          ok: result.failed === 0,
          text: `${label}: ${result.ok} done, ${result.failed} failed`,
          failures: result.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.detail}`),
        });
        this.reload();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.outcome.set({ ok: false, text: `${label} failed: ${describeHttpError(err)}`, failures: [] });
      },
    });
  }

  /** Publishes the policy with the new quarantine.days (a new, audited version). */
  protected saveDays(): void {
    const parsed = parseDays(this.daysDraft());
    if ('problem' in parsed) {
      this.daysOutcome.set({ ok: false, text: parsed.problem, problems: [] });
      return;
    }
    this.busy.set(true);
    this.daysOutcome.set(null);
    this.api
      .policy()
      .pipe(switchMap(({ policy }) => this.api.putPolicy({ ...policy, quarantine: { days: parsed.days } }, `quarantine kept ${parsed.days} days`)))
      .subscribe({
        next: (stored) => {
          this.busy.set(false);
          this.daysOutcome.set({ ok: true, text: `Held messages are now kept ${parsed.days} days (policy version ${stored.version}).`, problems: [] });
          this.reload();
        },
        error: (err: unknown) => {
          this.busy.set(false);
          this.daysOutcome.set({ ok: false, text: `Not saved: ${describeHttpError(err)}`, problems: serverProblems(err) });
        },
      });
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (cursor) this.load(cursor);
  }

  private reload(): void {
    this.rows.set([]);
    this.nextCursor.set(null);
    this.selected.set(new Set());
    this.load(null);
  }

  private load(cursor: string | null): void {
    this.loading.set(true);
    this.error.set(null);
    const params = { ...compactParams({ reason: this.reason(), rcpt: this.rcpt(), from: this.from(), to: this.to() }), limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) };
    this.api.quarantine(params).subscribe({
      next: ({ messages, nextCursor, ...summary }) => {
        this.nowMs.set(Date.now());
        this.summary.set(summary);
        if (!this.daysDraft()) this.daysDraft.set(String(summary.days));
        this.rows.update((rows) => [...rows, ...messages]);
        this.nextCursor.set(nextCursor);
        this.loading.set(false);
      },
      error: (err: unknown) => {
        this.error.set(describeHttpError(err));
        this.loading.set(false);
      },
    });
  }
}
