import { ACTIONS, type Action, type DailyCount, type Direction, type DirectionActionCount } from '../api/api.types';

const DAY_MS = 86_400_000;

export type ActionCounts = Record<Action, number>;

export interface DayRow {
  day: string;
  counts: ActionCounts;
  total: number;
}

/** The stats window: from the start (UTC) of the day `days - 1` days ago until now. */
export function statsWindow(nowMs: number, days: number): { fromMs: number; toMs: number } {
  const startOfToday = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return { fromMs: startOfToday - (days - 1) * DAY_MS, toMs: nowMs };
}

/** `YYYY-MM-DD` (UTC) of each day in the window, oldest first. */
export function windowDays(nowMs: number, days: number): string[] {
  const { fromMs } = statsWindow(nowMs, days);
  return Array.from({ length: days }, (_, i) => new Date(fromMs + i * DAY_MS).toISOString().slice(0, 10));
}

export function emptyCounts(): ActionCounts {
  return Object.fromEntries(ACTIONS.map((a) => [a, 0])) as ActionCounts;
}

/**
 * The days to show: the window's days plus any other day the CSM reports (a server in another time zone), so no
 * counted message disappears from the table.
 */
export function reportDays(daily: readonly DailyCount[], nowMs: number, days: number): string[] {
  return [...new Set([...windowDays(nowMs, days), ...daily.map((c) => c.day)])].sort();
}

/** One row per day in `days` for one direction. */
export function dailyRows(daily: readonly DailyCount[], days: readonly string[], direction: Direction): DayRow[] {
  const rows = new Map<string, DayRow>(days.map((day) => [day, { day, counts: emptyCounts(), total: 0 }]));
  for (const c of daily) {
    const row = rows.get(c.day);
    if (c.direction !== direction || !row) continue;
    row.counts[c.action] += c.count;
    row.total += c.count;
  }
  return [...rows.values()];
}

/** Totals per action, for one direction or (without `direction`) for both. */
export function totalsByAction(counts: readonly DirectionActionCount[], direction?: Direction): ActionCounts {
  const totals = emptyCounts();
  for (const c of counts) if (!direction || c.direction === direction) totals[c.action] += c.count;
  return totals;
}

export function sumCounts(counts: ActionCounts): number {
  return ACTIONS.reduce((sum, a) => sum + counts[a], 0);
}
