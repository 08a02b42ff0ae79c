import { ACTIONS, type Action, type Breakdown, type BreakdownBy } from '../api/api.types';

export const BREAKDOWN_LABELS: Record<BreakdownBy, string> = {
  domain: 'Domain',
  user: 'User',
  reason: 'Block reason',
  symbol: 'Symbol',
  direction: 'Direction',
};

export interface StatisticsRow {
  key: string;
  counts: Record<Action, number>;
  total: number;
}

/** One row per key (most messages first, as the CSM orders them) with its count per action. */
export function statisticsRows(breakdown: Breakdown): { rows: StatisticsRow[]; actions: Action[] } {
  const rows = new Map<string, StatisticsRow>();
  for (const r of breakdown.rows) {
    const row = rows.get(r.key) ?? { key: r.key, counts: Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>, total: 0 };
    row.counts[r.action] += r.count;
    row.total += r.count;
    rows.set(r.key, row);
  }
  const used = new Set(breakdown.rows.map((r) => r.action));
  return { rows: [...rows.values()], actions: ACTIONS.filter((a) => used.has(a)) };
}
