import { DatePipe } from '@angular/common';
import { Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { ApiService } from '../api/api.service';
import type { BulkAction, ExportFormat, MailField, MailRow } from '../api/api.types';
import { describeHttpError, serverProblems } from '../api/http-error';
import { saveFile } from '../shared/download';
import { isoToLocalInput, localInputToIso, sameQuery } from '../shared/url-state';
import { DEFAULT_PAGE_SIZE, FIELD_LABELS, pageSize, searchFromQuery, searchProblems, searchToQuery, unusedFields, type MailSearch } from './mail-search';

const ACTION_LABELS: Record<BulkAction, string> = {
  release: 'Release',
  delete: 'Delete from quarantine',
  'report-spam': 'Report spam',
  'report-ham': 'Report not spam',
  forward: 'Forward',
};

/**
 * Mail tracking (F14): one search over every node by time range and conditions joined by AND or OR, paged with a
 * cursor; actions on the selected messages and an export of the whole result set. The search lives in the URL.
 */
@Component({
  selector: 'moat-mail-page',
  imports: [DatePipe, RouterLink],
  templateUrl: './mail.page.html',
  styleUrl: './mail.page.css',
})
export class MailPage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);

  protected readonly labels = FIELD_LABELS;
  protected readonly actionLabels = ACTION_LABELS;
  /** The actions with a button of their own; forward has its address field beside it. */
  protected readonly bulkActions = (Object.keys(ACTION_LABELS) as BulkAction[]).filter((a) => a !== 'forward');
  /** Where "Forward" sends the selected messages. */
  protected readonly forwardTo = signal('');

  /** The search as the URL has it, and the form's copy being edited (times as datetime-local values). */
  private readonly query = signal<Record<string, string>>({});
  /** Rows per page, from the URL's `limit` (kept across searches). */
  private limit = DEFAULT_PAGE_SIZE;
  protected readonly draft = signal<MailSearch>({ match: 'all', from: '', to: '', conditions: [] });
  protected readonly problems = signal<string[]>([]);

  protected readonly rows = signal<MailRow[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly busy = signal(false);
  protected readonly outcome = signal<{ ok: boolean; text: string; failures: string[] } | null>(null);

  protected readonly allSelected = computed(() => this.rows().length > 0 && this.rows().every((r) => this.selected().has(r.id)));
  protected readonly freeFields = computed(() => unusedFields(this.draft().conditions));

  constructor() {
    inject(ActivatedRoute)
      .queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((params) => {
        const query = Object.fromEntries(params.keys.map((k) => [k, params.get(k) ?? '']));
        const search = searchFromQuery(query);
        this.limit = pageSize(query['limit']);
        this.query.set(searchToQuery(search));
        this.draft.set({ ...search, from: isoToLocalInput(search.from), to: isoToLocalInput(search.to) });
        this.problems.set([]);
        this.reload();
      });
  }

  protected setMatch(match: string): void {
    this.draft.update((d) => ({ ...d, match: match === 'any' ? 'any' : 'all' }));
  }

  protected setTime(which: 'from' | 'to', value: string): void {
    this.draft.update((d) => ({ ...d, [which]: value }));
  }

  protected addCondition(): void {
    const field = this.freeFields()[0];
    if (field) this.draft.update((d) => ({ ...d, conditions: [...d.conditions, { field, value: '' }] }));
  }

  protected setCondition(index: number, change: { field?: string; value?: string }): void {
    this.draft.update((d) => ({
      ...d,
      conditions: d.conditions.map((c, i) => (i === index ? { field: (change.field as MailField | undefined) ?? c.field, value: change.value ?? c.value } : c)),
    }));
  }

  protected removeCondition(index: number): void {
    this.draft.update((d) => ({ ...d, conditions: d.conditions.filter((_, i) => i !== index) }));
  }

  /** Puts the form's search in the URL, whose change runs it; the same search again runs it afresh. */
  protected submit(): void {
    const d = this.draft();
    const search: MailSearch = { ...d, from: localInputToIso(d.from), to: localInputToIso(d.to) };
    const problems = searchProblems(search);
    this.problems.set(problems);
    if (problems.length > 0) return;
    const query = { ...searchToQuery(search), ...(this.limit === DEFAULT_PAGE_SIZE ? {} : { limit: String(this.limit) }) };
    if (sameQuery(searchToQuery(search), this.query())) this.reload();
    else void this.router.navigate([], { queryParams: query });
  }

  protected loadMore(): void {
    const cursor = this.nextCursor();
    if (cursor) this.load(cursor);
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

  protected act(action: BulkAction): void {
    const ids = [...this.selected()];
    if (ids.length === 0 || this.busy()) return;
    this.busy.set(true);
    this.outcome.set(null);
    this.api.mailAction(action, ids, action === 'forward' ? this.forwardTo().trim() : undefined).subscribe({
      next: (result) => {
        this.busy.set(false);
        this.outcome.set({
          ok: result.failed === 0,
          text: `${ACTION_LABELS[action]}: ${result.ok} done, ${result.failed} failed`,
          failures: result.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.detail}`),
        });
        this.reload();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.outcome.set({ ok: false, text: `${ACTION_LABELS[action]} failed: ${describeHttpError(err)}`, failures: serverProblems(err) });
      },
    });
  }

  protected download(format: ExportFormat): void {
    this.busy.set(true);
    this.outcome.set(null);
    this.api.exportMail(this.query(), format).subscribe({
      next: (file) => {
        this.busy.set(false);
        saveFile(file, `moat-mail.${format}`);
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.outcome.set({ ok: false, text: `Export failed: ${describeHttpError(err)}`, failures: [] });
      },
    });
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
    const params = { ...this.query(), limit: String(this.limit), ...(cursor ? { cursor } : {}) };
    this.api.searchMail(params).subscribe({
      next: (page) => {
        this.rows.update((rows) => [...rows, ...page.messages]);
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
