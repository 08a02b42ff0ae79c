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
  unspecified: 'No verdict',
};

const DIRECTION_LABELS: Record<Direction, { name: string; short: string }> = {
  inbound: { name: 'Inbound', short: 'in' },
  outbound: { name: 'Outbound', short: 'out' },
  unspecified: { name: 'Direction unknown', short: '?' },
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
  /** Every real verdict, plus `unspecified` only when some event had no verdict. */
  actions: Action[];
  days: string[];
  /** Inbound and outbound, plus `unspecified` only when some event had no direction. */
  directions: DirectionView[];
  /** The busiest bar sets the chart's full height. */
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

  protected readonly actionLabels = ACTION_LABELS;
  protected readonly directionLabels = DIRECTION_LABELS;
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
    }).filter((d) => d.direction !== 'unspecified' || d.total > 0);
    const totals = totalsByAction(stats.byDirectionAction);
    return {
      total: stats.total,
      totals,
      actions: ACTIONS.filter((a) => a !== 'unspecified' || totals[a] > 0),
      days,
      directions,
      chartMax: Math.max(1, ...directions.flatMap((d) => d.rows.map((r) => r.total))),
    };
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
    return `${DIRECTION_LABELS[direction].name} ${this.dayLabel(row.day)}: ${row.total}${detail}`;
  }
}
