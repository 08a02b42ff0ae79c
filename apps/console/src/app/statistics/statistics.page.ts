import { DecimalPipe } from '@angular/common';
import { Component, inject, signal } from '@angular/core';
import { ApiService } from '../api/api.service';
import { BREAKDOWNS, type Action, type BreakdownBy, type ExportFormat } from '../api/api.types';
import type { QueryOf } from '../api/csm-client';
import { describeHttpError } from '../api/http-error';
import { saveFile } from '../shared/download';
import { isoToLocalInput, localInputToIso } from '../shared/url-state';
import { BREAKDOWN_LABELS, statisticsRows, type StatisticsRow } from './statistics';

const DAY_MS = 86_400_000;

interface Result {
  by: BreakdownBy;
  total: number;
  truncated: boolean;
  rows: StatisticsRow[];
  actions: Action[];
}

/** Statistics (F16): message counts by domain, user, block reason, symbol or direction over a period, with export. */
@Component({
  selector: 'moat-statistics-page',
  imports: [DecimalPipe],
  templateUrl: './statistics.page.html',
  styleUrl: './statistics.page.css',
})
export class StatisticsPage {
  private readonly api = inject(ApiService);

  protected readonly breakdowns = BREAKDOWNS;
  protected readonly labels = BREAKDOWN_LABELS;
  protected readonly form = signal({
    by: 'domain' as BreakdownBy,
    direction: '',
    from: isoToLocalInput(new Date(Date.now() - 30 * DAY_MS).toISOString()),
    to: '',
  });
  protected readonly result = signal<Result | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    this.run();
  }

  protected set(field: 'by' | 'direction' | 'from' | 'to', value: string): void {
    this.form.update((f) => ({ ...f, [field]: value }));
  }

  protected run(): void {
    const params = this.params();
    this.busy.set(true);
    this.error.set(null);
    this.api.breakdown(params).subscribe({
      next: (b) => {
        this.busy.set(false);
        this.result.set({ by: b.by, total: b.total, truncated: b.truncated, ...statisticsRows(b) });
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(describeHttpError(err));
      },
    });
  }

  protected download(format: ExportFormat): void {
    const params = this.params();
    this.busy.set(true);
    this.error.set(null);
    this.api.exportBreakdown(params, format).subscribe({
      next: (file) => {
        this.busy.set(false);
        saveFile(file, `moat-stats-by-${params.by}.${format}`);
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(`Export failed: ${describeHttpError(err)}`);
      },
    });
  }

  private params(): QueryOf<'/api/stats'> & { by: BreakdownBy } {
    const f = this.form();
    const direction = f.direction === 'inbound' || f.direction === 'outbound' ? f.direction : undefined;
    return { by: f.by, direction, from: localInputToIso(f.from) || undefined, to: localInputToIso(f.to) || undefined };
  }
}
