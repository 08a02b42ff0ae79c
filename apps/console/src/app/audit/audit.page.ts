import { DatePipe } from '@angular/common';
import { Component, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { ApiService } from '../api/api.service';
import type { AuditEntry, AuditVerification } from '../api/api.types';
import { describeHttpError } from '../api/http-error';
import { compactParams, isoToLocalInput, localInputToIso, sameQuery } from '../shared/url-state';

const PAGE_SIZE = 50;
/** `GET /api/audit` filters, as the URL query holds them. */
const FILTERS = ['actor', 'action', 'target', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];

/** The audit chain, newest first, filtered by actor, action, target and time; and a check of the whole chain. */
@Component({
  selector: 'moat-audit-page',
  imports: [DatePipe, RouterLink],
  templateUrl: './audit.page.html',
  styleUrl: './audit.page.css',
})
export class AuditPage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);

  private query: Record<string, string> = {};
  /** The form's values; times as datetime-local values. */
  protected readonly draft = signal<Record<Filter, string>>({ actor: '', action: '', target: '', from: '', to: '' });
  protected readonly entries = signal<AuditEntry[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly verifying = signal(false);
  protected readonly verification = signal<AuditVerification | null>(null);
  protected readonly verifyError = signal<string | null>(null);

  constructor() {
    inject(ActivatedRoute)
      .queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((params) => {
        const value = (f: Filter) => params.get(f) ?? '';
        this.query = compactParams(Object.fromEntries(FILTERS.map((f) => [f, value(f)])));
        this.draft.set({ actor: value('actor'), action: value('action'), target: value('target'), from: isoToLocalInput(value('from')), to: isoToLocalInput(value('to')) });
        this.reload();
      });
  }

  protected set(filter: Filter, value: string): void {
    this.draft.update((d) => ({ ...d, [filter]: value }));
  }

  /** Puts the filters in the URL, whose change runs them; the same filters again run afresh. */
  protected submit(): void {
    const d = this.draft();
    const query = compactParams({ ...d, from: localInputToIso(d.from), to: localInputToIso(d.to) });
    if (sameQuery(query, this.query)) this.reload();
    else void this.router.navigate([], { queryParams: query });
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (cursor) this.load(cursor);
  }

  protected verify(): void {
    this.verifying.set(true);
    this.verifyError.set(null);
    this.verification.set(null);
    this.api.verifyAudit().subscribe({
      next: (v) => {
        this.verification.set(v);
        this.verifying.set(false);
      },
      error: (err: unknown) => {
        this.verifyError.set(describeHttpError(err));
        this.verifying.set(false);
      },
    });
  }

  /** A message id target links to the message; other targets (`policy v3`) are plain text. */
  protected isMessage(entry: AuditEntry): boolean {
    return entry.action.startsWith('mail.') && entry.target !== '' && !entry.target.includes(' ');
  }

  private reload(): void {
    this.entries.set([]);
    this.nextCursor.set(null);
    this.load(null);
  }

  private load(cursor: string | null): void {
    this.loading.set(true);
    this.error.set(null);
    this.api.audit({ ...this.query, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) }).subscribe({
      next: (page) => {
        this.entries.update((e) => [...e, ...page.entries]);
        this.nextCursor.set(page.nextCursor);
        this.loading.set(false);
      },
      error: (err: unknown) => {
        this.error.set(describeHttpError(err));
        this.loading.set(false);
      },
    });
  }
}
