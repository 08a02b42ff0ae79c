import { DecimalPipe } from '@angular/common';
import { Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { IdentityService } from '../auth/identity.service';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { EMPTY, catchError, of } from 'rxjs';
import { ApiService } from '../api/api.service';
import { TOPS, type Category, type Direction, type ModelInfo, type NodeStatus, type Top } from '../api/api.types';
import { engineVersions, signatureDateMs } from '../nodes/engine-versions';
import { RefreshStatus } from '../shared/refresh-status';
import { REFRESH_MS, poll } from '../shared/poll';
import { relativeTime } from '../shared/relative-time';
import { isoToLocalInput, localInputToIso } from '../shared/url-state';
import {
  CATEGORY_LABELS,
  CHART_HEIGHT,
  RANGE_CHOICES,
  RANGE_LABELS,
  TOP_CONDITIONS,
  TOP_LABELS,
  dashboardView,
  labelEvery,
  mailQuery,
  rangeParams,
  type ChartColumn,
  type RangeChoice,
} from './dashboard-view';

const DEFAULT_CHOICE: RangeChoice = '24h';
const isChoice = (value: string | null): value is RangeChoice => (RANGE_CHOICES as readonly (string | null)[]).includes(value);

const DIRECTION_LABELS: Record<Direction, string> = { inbound: 'Inbound', outbound: 'Outbound', unspecified: 'Direction unknown' };
const MB = 1024 * 1024;

/**
 * The dashboard (F13): a range's mail per hour or day by category, the counts per direction and category, the
 * tops, and the nodes' resources, refreshed every 5 s in place. Every number links to the mail search listing
 * those messages. The range lives in the URL (`?range=7d`, or `?from&to` for a custom one), so going back from
 * the mail search returns to it.
 */
@Component({
  selector: 'moat-dashboard-page',
  imports: [DecimalPipe, RefreshStatus, RouterLink],
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
})
export class DashboardPage {
  private readonly api = inject(ApiService);
  private readonly router = inject(Router);

  protected readonly choices = RANGE_CHOICES;
  protected readonly rangeLabels = RANGE_LABELS;
  protected readonly categoryLabels = CATEGORY_LABELS;
  protected readonly directionLabels = DIRECTION_LABELS;
  protected readonly tops = TOPS;
  protected readonly topLabels = TOP_LABELS;
  protected readonly chartHeight = CHART_HEIGHT;

  protected readonly choice = signal<RangeChoice>(DEFAULT_CHOICE);
  /** The custom range as datetime-local values, and the one applied (ISO). */
  protected readonly customDraft = signal({ from: '', to: '' });
  private readonly custom = signal({ from: '', to: '' });
  protected readonly problem = signal<string | null>(null);

  protected readonly dashboard = poll(
    REFRESH_MS,
    () => {
      const range = rangeParams(this.choice(), this.custom(), Date.now());
      return 'params' in range ? this.api.dashboard(range.params) : EMPTY;
    },
    toObservable(computed(() => ({ choice: this.choice(), custom: this.custom() }))),
  );
  protected readonly status = poll(REFRESH_MS, () => this.api.status());
  /** The models the CSM keeps, for their age; read once, and only by an account that may read the classifier. */
  private readonly models = signal<ReadonlyMap<string, ModelInfo>>(new Map());

  constructor() {
    inject(ActivatedRoute)
      .queryParamMap.pipe(takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((params) => {
        const custom = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
        const range = params.get('range');
        if (!custom.from && !custom.to) {
          this.choice.set(isChoice(range) && range !== 'custom' ? range : DEFAULT_CHOICE);
          this.problem.set(null);
          return;
        }
        this.choice.set('custom');
        this.custom.set(custom);
        this.customDraft.set({ from: isoToLocalInput(custom.from), to: isoToLocalInput(custom.to) });
        const checked = rangeParams('custom', custom, Date.now());
        this.problem.set('problem' in checked ? checked.problem : null);
      });
    this.loadModels();
  }

  private loadModels(): void {
    if (!inject(IdentityService).can('policy:read')) return;
    this.api
      .classifier()
      .pipe(catchError(() => of({ activeModelVersion: '', models: [] })))
      .subscribe((c) => this.models.set(new Map(c.models.map((m) => [m.version, m]))));
  }

  protected readonly view = computed(() => {
    const d = this.dashboard.data();
    if (!d) return null;
    const label = d.bucket === 'hour' ? (ms: number) => this.hourLabel(ms) : (ms: number) => this.dayLabel(ms);
    return { d, ...dashboardView(d, label), every: labelEvery(d.bucketStarts.length) };
  });

  protected readonly nodes = computed(() =>
    [...(this.status.data()?.nodes ?? [])]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((n) => ({ node: n, engines: engineVersions(n.engineVersions).filter((e) => e.engine !== 'classifier').map((e) => ({ ...e, dateMs: signatureDateMs(e) })) })),
  );

  protected choose(choice: RangeChoice): void {
    if (choice !== 'custom') {
      void this.router.navigate([], { queryParams: choice === DEFAULT_CHOICE ? {} : { range: choice } });
      return;
    }
    if (!this.customDraft().from) {
      const now = Date.now();
      this.customDraft.set({ from: isoToLocalInput(new Date(now - 7 * 24 * 3_600_000).toISOString()), to: isoToLocalInput(new Date(now).toISOString()) });
    }
    this.applyCustom();
  }

  protected setCustom(which: 'from' | 'to', value: string): void {
    this.customDraft.update((c) => ({ ...c, [which]: value }));
  }

  /** Puts the custom range in the URL, whose change shows it; a wrong one is explained and not applied. */
  protected applyCustom(): void {
    const draft = this.customDraft();
    const range = rangeParams('custom', { from: localInputToIso(draft.from), to: localInputToIso(draft.to) }, Date.now());
    if ('problem' in range) {
      this.choice.set('custom');
      this.problem.set(range.problem);
      return;
    }
    void this.router.navigate([], { queryParams: range.params });
  }

  /** `/mail` query for messages of the shown range matching CONDITIONS. */
  protected link(conditions: Record<string, string>): Record<string, string> {
    const d = this.dashboard.data();
    return d ? mailQuery(conditions, d.fromMs, d.toMs) : conditions;
  }

  protected cellLink(direction: Direction, category: Category | 'total'): Record<string, string> {
    return this.link(category === 'total' ? { direction } : { direction, category });
  }

  protected topLink(top: Top, key: string): Record<string, string> {
    return this.link(TOP_CONDITIONS[top](key));
  }

  protected openBucket(column: ChartColumn): void {
    void this.router.navigate(['/mail'], { queryParams: mailQuery({}, column.fromMs, column.toMs) });
  }

  protected megabytes(bytes: number): string {
    return (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);
  }

  protected age(ms: number | null): string {
    return ms === null ? '' : relativeTime(ms, this.status.updatedAtMs() ?? Date.now());
  }

  protected modelVersion(node: NodeStatus): string {
    return node.engineVersions['classifier'] ?? '';
  }

  /** When the node's model was made, when the CSM keeps it; null otherwise. */
  protected modelDateMs(node: NodeStatus): number | null {
    return this.models().get(this.modelVersion(node))?.createdAtMs ?? null;
  }

  private hourLabel(ms: number): string {
    return new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  }

  private dayLabel(ms: number): string {
    return new Date(ms).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  }
}
