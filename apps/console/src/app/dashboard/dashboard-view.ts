import { CATEGORIES, type Category, type Dashboard, type Direction, type Top } from '../api/api.types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The range picker's choices: rolling windows ending now, or a custom range. */
export const RANGE_CHOICES = ['1h', '24h', '7d', '30d', 'custom'] as const;
export type RangeChoice = (typeof RANGE_CHOICES)[number];

const RANGE_MS: Record<Exclude<RangeChoice, 'custom'>, number> = { '1h': HOUR_MS, '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS };

export const RANGE_LABELS: Record<RangeChoice, string> = { '1h': 'Last hour', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days', custom: 'Custom' };

export const CATEGORY_LABELS: Record<Category, string> = {
  normal: 'Normal',
  spam: 'Spam',
  virus: 'Virus',
  ransomware: 'Ransomware',
  'personal-data': 'Personal data',
  rejected: 'Rejected',
};

export const TOP_LABELS: Record<Top, string> = {
  senders: 'Top senders',
  recipients: 'Top recipients',
  spamRecipients: 'Top spam recipients',
  viruses: 'Top viruses',
  symbols: 'Top symbols',
  clientIps: 'Top client IPs',
};

/** The mail search conditions a top list's key stands for. */
export const TOP_CONDITIONS: Record<Top, (key: string) => Record<string, string>> = {
  senders: (key) => ({ sender: key }),
  recipients: (key) => ({ rcpt: key }),
  spamRecipients: (key) => ({ rcpt: key, category: 'spam' }),
  viruses: (key) => ({ virus: key }),
  symbols: (key) => ({ symbol: key }),
  clientIps: (key) => ({ ip: key }),
};

/** A range as `GET /api/dashboard` takes it, or the problem with a custom one. */
export function rangeParams(choice: RangeChoice, custom: { from: string; to: string }, nowMs: number): { params: Record<string, string> } | { problem: string } {
  if (choice !== 'custom') return { params: { from: String(nowMs - RANGE_MS[choice]), to: String(nowMs) } };
  const from = Date.parse(custom.from);
  const to = Date.parse(custom.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return { problem: 'Give the custom range a start and an end' };
  if (from >= to) return { problem: 'The start of the range must come before its end' };
  return { params: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } };
}

/** `/mail` query parameters: the conditions, in the range [fromMs, toMs). */
export function mailQuery(conditions: Record<string, string>, fromMs: number, toMs: number): Record<string, string> {
  return { ...conditions, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

export interface CategoryRow {
  category: Category | 'total';
  /** Count per shown direction, in the order of `directions`. */
  counts: number[];
}

export interface ChartColumn {
  startMs: number;
  /** The part of the bucket inside the range (the first and last buckets may be cut). */
  fromMs: number;
  toMs: number;
  total: number;
  /** Stacked from the bottom, in CATEGORIES order; every category, zero-height when it has none. */
  segments: { category: Category; count: number; y: number; height: number }[];
  label: string;
  tooltip: string;
}

export interface DashboardView {
  directions: Direction[];
  rows: CategoryRow[];
  columns: ChartColumn[];
  /** The busiest bucket (at least 1): the chart's full height. */
  chartMax: number;
}

/** Height of the chart's drawing area, in SVG units. */
export const CHART_HEIGHT = 100;

/** What the page shows for a dashboard answer; empty ranges give zeros and flat bars. */
export function dashboardView(d: Dashboard, timeLabel: (ms: number) => string): DashboardView {
  const directions: Direction[] = ['inbound', 'outbound'];
  if (d.totals.some((t) => t.direction === 'unspecified' && t.count > 0)) directions.push('unspecified');
  const count = (direction: Direction, category: Category) => d.totals.find((t) => t.direction === direction && t.category === category)?.count ?? 0;
  const rows: CategoryRow[] = CATEGORIES.map((category) => ({ category, counts: directions.map((dir) => count(dir, category)) }));
  rows.push({ category: 'total', counts: directions.map((_, i) => rows.reduce((sum, r) => sum + (r.counts[i] ?? 0), 0)) });

  const size = d.bucket === 'hour' ? HOUR_MS : DAY_MS;
  const perBucket = new Map<number, Record<Category, number>>();
  for (const b of d.buckets) {
    const counts = perBucket.get(b.startMs) ?? emptyCategories();
    counts[b.category] += b.count;
    perBucket.set(b.startMs, counts);
  }
  const totals = d.bucketStarts.map((start) => sumCategories(perBucket.get(start) ?? emptyCategories()));
  const chartMax = Math.max(1, ...totals);
  const columns = d.bucketStarts.map((startMs, i): ChartColumn => {
    const counts = perBucket.get(startMs) ?? emptyCategories();
    let y = CHART_HEIGHT;
    const segments = CATEGORIES.map((category) => {
      const height = (counts[category] / chartMax) * CHART_HEIGHT;
      y -= height;
      return { category, count: counts[category], y, height };
    });
    const parts = CATEGORIES.filter((c) => counts[c] > 0).map((c) => `${CATEGORY_LABELS[c]} ${counts[c]}`);
    const label = timeLabel(startMs);
    return {
      startMs,
      fromMs: Math.max(startMs, d.fromMs),
      toMs: Math.min(startMs + size, d.toMs),
      total: totals[i] ?? 0,
      segments,
      label,
      tooltip: `${label}: ${totals[i] ?? 0} ${totals[i] === 1 ? 'message' : 'messages'}${parts.length ? ` (${parts.join(', ')})` : ''}`,
    };
  });
  return { directions, rows, columns, chartMax };
}

/** Which column labels to print under the chart: about eight, evenly spaced. */
export function labelEvery(columns: number): number {
  return Math.max(1, Math.ceil(columns / 8));
}

function emptyCategories(): Record<Category, number> {
  return Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
}

function sumCategories(counts: Record<Category, number>): number {
  return CATEGORIES.reduce((sum, c) => sum + counts[c], 0);
}
