import { describe, expect, it } from 'vitest';
import { InMemoryEventStore } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { bucketStarts, DashboardService } from './dashboard.service.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 4, 10, 15, 30);

describe('DashboardService', () => {
  const store = new InMemoryEventStore();
  const service = new DashboardService(store);

  it('covers the last day by hour without a range, and sums the buckets per direction and category', async () => {
    store.dashboardCounts = {
      buckets: [
        { startMs: NOW - 2 * HOUR, direction: 'inbound', category: 'spam', count: 3 },
        { startMs: NOW - HOUR, direction: 'inbound', category: 'spam', count: 2 },
        { startMs: NOW - HOUR, direction: 'outbound', category: 'normal', count: 4 },
        { startMs: NOW - HOUR, direction: 'unspecified', category: 'rejected', count: 1 },
      ],
      tops: { senders: [{ key: 'a@remote.test', count: 5 }], recipients: [], spamRecipients: [], viruses: [], symbols: [], clientIps: [] },
    };
    const view = await service.dashboard({}, NOW);
    expect(store.dashboardQueries.at(-1)).toEqual({ fromMs: NOW - 24 * HOUR, toMs: NOW, bucket: 'hour' });
    expect(view.bucketStarts).toHaveLength(25);
    expect(view.bucketStarts[0]).toBe(Date.UTC(2026, 4, 9, 15));
    expect(view.total).toBe(10);
    expect(view.totals).toContainEqual({ direction: 'inbound', category: 'spam', count: 5 });
    expect(view.totals).toContainEqual({ direction: 'outbound', category: 'virus', count: 0 });
    expect(view.totals).toContainEqual({ direction: 'unspecified', category: 'rejected', count: 1 });
    expect(view.totals.filter((t) => t.direction === 'inbound')).toHaveLength(6);
    expect(view.tops.senders).toEqual([{ key: 'a@remote.test', count: 5 }]);
  });

  it('counts by day past two days, or as asked', async () => {
    await service.dashboard({ from: '2026-04-10', to: '2026-05-10' }, NOW);
    expect(store.dashboardQueries.at(-1)?.bucket).toBe('day');
    const view = await service.dashboard({ from: '2026-05-01', to: '2026-05-08', bucket: 'hour' }, NOW);
    expect(view.bucket).toBe('hour');
    expect(view.bucketStarts).toHaveLength(7 * 24);
  });

  it('refuses malformed and out-of-range times, a reversed range, an unknown bucket and too many buckets, with the reason', async () => {
    const problems = async (query: Record<string, unknown>) => {
      const err: unknown = await service.dashboard(query, NOW).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      return (err as InvalidInputError).problems.join('; ');
    };
    expect(await problems({ from: 'yesterday' })).toMatch(/^from: yesterday/);
    expect(await problems({ to: '99999999999999999999' })).toMatch(/is not between 1970-01-01 and/);
    expect(await problems({ from: '2026-05-10', to: '2026-05-01' })).toBe('from: must be before to');
    expect(await problems({ bucket: 'minute' })).toBe('bucket: must be one of hour, day');
    expect(await problems({ from: '2026-01-01', to: '2026-03-01', bucket: 'hour' })).toMatch(/makes 1416 buckets, at most 1000/);
    expect(await problems({ from: ['1', '2'] })).toMatch(/given 2 times/);
  });
});

describe('bucketStarts', () => {
  it('starts at the bucket holding from and ends with the one holding the last moment before to', () => {
    expect(bucketStarts(Date.UTC(2026, 0, 1, 10, 20), Date.UTC(2026, 0, 1, 12, 0), 'hour')).toEqual([Date.UTC(2026, 0, 1, 10), Date.UTC(2026, 0, 1, 11)]);
    expect(bucketStarts(Date.UTC(2026, 0, 1, 10), Date.UTC(2026, 0, 3, 1), 'day')).toEqual([Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 3)]);
  });
});
