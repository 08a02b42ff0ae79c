import type { Dashboard } from '../api/api.types';
import { CHART_HEIGHT, dashboardView, labelEvery, mailQuery, rangeParams } from './dashboard-view';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 4, 10, 15, 30);

function dashboard(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    fromMs: NOW - 2 * HOUR,
    toMs: NOW,
    bucket: 'hour',
    bucketStarts: [NOW - 2.5 * HOUR, NOW - 1.5 * HOUR, NOW - 0.5 * HOUR],
    buckets: [],
    totals: [],
    total: 0,
    tops: { senders: [], recipients: [], spamRecipients: [], viruses: [], symbols: [], clientIps: [] },
    ...overrides,
  };
}

describe('rangeParams', () => {
  it('ends a preset window now', () => {
    expect(rangeParams('7d', { from: '', to: '' }, NOW)).toEqual({ params: { from: String(NOW - 7 * 24 * HOUR), to: String(NOW) } });
  });

  it('takes a custom range as ISO, or says what is wrong with it', () => {
    expect(rangeParams('custom', { from: '2026-05-01T00:00:00.000Z', to: '2026-05-02T00:00:00.000Z' }, NOW)).toEqual({ params: { from: '2026-05-01T00:00:00.000Z', to: '2026-05-02T00:00:00.000Z' } });
    expect(rangeParams('custom', { from: '', to: '2026-05-02T00:00:00.000Z' }, NOW)).toEqual({ problem: 'Give the custom range a start and an end' });
    expect(rangeParams('custom', { from: '2026-05-03T00:00:00.000Z', to: '2026-05-02T00:00:00.000Z' }, NOW)).toEqual({ problem: 'The start of the range must come before its end' });
  });
});

describe('dashboardView', () => {
  it('renders an empty range as zeros and flat bars', () => {
    const view = dashboardView(dashboard(), () => 'x');
    expect(view.directions).toEqual(['inbound', 'outbound']);
    expect(view.rows.map((r) => r.counts)).toEqual(Array.from({ length: 7 }, () => [0, 0]));
    expect(view.columns).toHaveLength(3);
    expect(view.columns.every((c) => c.total === 0 && c.segments.every((s) => s.height === 0))).toBe(true);
    expect(view.chartMax).toBe(1);
  });

  it('stacks each bucket by category, scales to the busiest one and cuts the edge buckets to the range', () => {
    const view = dashboardView(
      dashboard({
        buckets: [
          { startMs: NOW - 1.5 * HOUR, direction: 'inbound', category: 'normal', count: 3 },
          { startMs: NOW - 1.5 * HOUR, direction: 'outbound', category: 'spam', count: 1 },
          { startMs: NOW - 0.5 * HOUR, direction: 'unspecified', category: 'rejected', count: 2 },
        ],
        totals: [
          { direction: 'inbound', category: 'normal', count: 3 },
          { direction: 'outbound', category: 'spam', count: 1 },
          { direction: 'unspecified', category: 'rejected', count: 2 },
        ],
        total: 6,
      }),
      (ms) => new Date(ms).toISOString().slice(11, 16),
    );
    expect(view.directions).toEqual(['inbound', 'outbound', 'unspecified']);
    expect(view.rows.find((r) => r.category === 'total')?.counts).toEqual([3, 1, 2]);
    const busiest = view.columns[1];
    expect(busiest?.total).toBe(4);
    expect(busiest?.segments.find((s) => s.category === 'normal')).toMatchObject({ height: 75, y: CHART_HEIGHT - 75 });
    expect(busiest?.tooltip).toBe('14:00: 4 messages (Normal 3, Spam 1)');
    expect(view.columns[0]?.fromMs).toBe(NOW - 2 * HOUR);
    expect(view.columns[2]?.toMs).toBe(NOW);
  });
});

describe('mailQuery and labelEvery', () => {
  it('puts the range on the conditions as ISO', () => {
    expect(mailQuery({ category: 'spam' }, 0, HOUR)).toEqual({ category: 'spam', from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T01:00:00.000Z' });
  });

  it('labels about eight columns', () => {
    expect(labelEvery(7)).toBe(1);
    expect(labelEvery(25)).toBe(4);
  });
});
