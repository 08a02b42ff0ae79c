import { DatePipe } from '@angular/common';
import { Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { ApiService } from '../api/api.service';
import type { SecurityFinding } from '../api/api.types';
import { describeHttpError } from '../api/http-error';
import { compactParams, isoToLocalInput, localInputToIso, sameQuery } from '../shared/url-state';

const PAGE_SIZE = 100;
/** `GET /api/security-log` filters, as the URL query holds them. */
const FILTERS = ['kind', 'sender', 'ip', 'text', 'from', 'to'] as const;
type Filter = (typeof FILTERS)[number];

/** The filter families `kind` takes: symbol name prefixes, as the scan node names its symbols. */
export const FINDING_KINDS: readonly { kind: string; label: string }[] = [
  { kind: 'AV_', label: 'Antivirus (AV_)' },
  { kind: 'ATTACHMENT_', label: 'Attachments (ATTACHMENT_)' },
  { kind: 'ARCHIVE_', label: 'Archives (ARCHIVE_)' },
  { kind: 'OFFICE_', label: 'Office macros (OFFICE_)' },
  { kind: 'SPF_', label: 'SPF (SPF_)' },
  { kind: 'DKIM_', label: 'DKIM (DKIM_)' },
  { kind: 'DMARC_', label: 'DMARC (DMARC_)' },
  { kind: 'RBL_', label: 'IP blocklists (RBL_)' },
  { kind: 'URIBL_', label: 'URL blocklists (URIBL_)' },
  { kind: 'PHISH_', label: 'Phishing (PHISH_)' },
  { kind: 'BULK_', label: 'Bulk mail (BULK_)' },
  { kind: 'BAYES_', label: 'Spam classifier (BAYES_)' },
  { kind: 'REGEX_', label: 'Content rules (REGEX_)' },
  { kind: 'DLP_', label: 'Data loss prevention (DLP_)' },
  { kind: 'RATE_', label: 'Rate limits (RATE_)' },
];

/** The security log (F15): one row per symbol that fired, newest message first, by filter kind, sender, IP, text and time. */
@Component({
  selector: 'moat-security-log-page',
  imports: [DatePipe, RouterLink],
  templateUrl: './security-log.page.html',
  styleUrl: './security-log.page.css',
})
export class SecurityLogPage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);

  private query: Record<string, string> = {};
  /** The form's values; times as datetime-local values. */
  protected readonly draft = signal<Record<Filter, string>>({ kind: '', sender: '', ip: '', text: '', from: '', to: '' });
  /** The known kinds, and a whole symbol name a deep link asked for. */
  protected readonly kinds = computed(() => {
    const kind = this.draft().kind;
    return kind === '' || FINDING_KINDS.some((k) => k.kind === kind) ? FINDING_KINDS : [...FINDING_KINDS, { kind, label: kind }];
  });
  protected readonly findings = signal<SecurityFinding[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    inject(ActivatedRoute)
      .queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((params) => {
        const value = (f: Filter) => params.get(f) ?? '';
        this.query = compactParams(Object.fromEntries(FILTERS.map((f) => [f, value(f)])));
        this.draft.set({ kind: value('kind'), sender: value('sender'), ip: value('ip'), text: value('text'), from: isoToLocalInput(value('from')), to: isoToLocalInput(value('to')) });
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

  private reload(): void {
    this.findings.set([]);
    this.nextCursor.set(null);
    this.load(null);
  }

  private load(cursor: string | null): void {
    this.loading.set(true);
    this.error.set(null);
    this.api.securityLog({ ...this.query, limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) }).subscribe({
      next: (page) => {
        this.findings.update((f) => [...f, ...page.findings]);
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
