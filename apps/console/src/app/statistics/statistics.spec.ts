import { statisticsRows } from './statistics';

describe('statisticsRows', () => {
  it('groups the rows by key in the order given, with a column per action present', () => {
    const { rows, actions } = statisticsRows({
      by: 'domain',
      direction: '',
      total: 10,
      truncated: false,
      rows: [
        { key: 'example.test', action: 'deliver', count: 7 },
        { key: 'example.test', action: 'reject', count: 2 },
        { key: 'other.test', action: 'deliver', count: 1 },
      ],
    });
    expect(actions).toEqual(['deliver', 'reject']);
    expect(rows.map((r) => [r.key, r.counts.deliver, r.counts.reject, r.total])).toEqual([
      ['example.test', 7, 2, 9],
      ['other.test', 1, 0, 1],
    ]);
  });
});
