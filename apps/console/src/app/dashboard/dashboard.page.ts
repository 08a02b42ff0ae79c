import { DecimalPipe } from '@angular/common';
import { Component, computed, inject } from '@angular/core';
import { ApiService } from '../api/api.service';
import { ACTIONS, DIRECTIONS, type Action, type Direction } from '../api/api.types';
import { RefreshStatus } from '../shared/refresh-status';
import { REFRESH_MS, poll } from '../shared/poll';
import {
  dailyRows,
  reportDays,
  statsWindow,
  sumCounts,
  totalsByAction,
  type ActionCounts,
  type DayRow,
} from './daily-stats';

const DAYS = 7;

const ACTION_LABELS: Record<Action, string> = {
  deliver: 'Delivered',
  tag: 'Tagged',
  quarantine: 'Quarantined',
  reject: 'Rejected',
  tempfail: 'Deferred (4xx)',
  hold: 'Held',
  discard: 'Discarded',
};

interface DirectionView {
  direction: Direction;
  rows: DayRow[];
  totals: ActionCounts;
  total: number;
}

interface DashboardView {
  total: number;
  totals: ActionCounts;
  days: string[];
  directions: DirectionView[];
  /** The busiest day of either direction sets the chart's full height. */
  chartMax: number;
}

/** Messages per day by verdict over the last 7 days, across all nodes. */
@Component({
  selector: 'moat-dashboard-page',
  imports: [DecimalPipe, RefreshStatus],
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.css',
})
export class DashboardPage {
  private readonly api = inject(ApiService);

  protected readonly actions = ACTIONS;
  protected readonly actionLabels = ACTION_LABELS;
  protected readonly stats = poll(REFRESH_MS, () => {
    const { fromMs, toMs } = statsWindow(Date.now(), DAYS);
    return this.api.stats(fromMs, toMs);
  });

  protected readonly view = computed((): DashboardView | null => {
    const stats = this.stats.data();
    if (!stats) return null;
    const days = reportDays(stats.daily, this.stats.updatedAtMs() ?? Date.now(), DAYS);
    const directions = DIRECTIONS.map((direction) => {
      const totals = totalsByAction(stats.byDirectionAction, direction);
      return { direction, rows: dailyRows(stats.daily, days, direction), totals, total: sumCounts(totals) };
    });
    const chartMax = Math.max(1, ...directions.flatMap((d) => d.rows.map((r) => r.total)));
    return { total: stats.total, totals: totalsByAction(stats.byDirectionAction), days, directions, chartMax };
  });

  protected dayLabel(day: string): string {
    return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    });
  }

  /** A day bar's tooltip and accessible name: "Inbound Mon 4 May: 12 (Delivered 10, Rejected 2)". */
  protected barLabel(direction: Direction, row: DayRow): string {
    const parts = ACTIONS.filter((a) => row.counts[a] > 0).map((a) => `${ACTION_LABELS[a]} ${row.counts[a]}`);
    const detail = parts.length ? ` (${parts.join(', ')})` : '';
    return `${direction === 'inbound' ? 'Inbound' : 'Outbound'} ${this.dayLabel(row.day)}: ${row.total}${detail}`;
  }
}
