import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';
import { formatAgo, formatTimestamp } from './time.js';

describe('renderTable', () => {
  it('aligns columns to the widest cell and leaves the last column unpadded', () => {
    expect(renderTable(['NAME', 'UP'], [['node-1', 'yes'], ['n2', 'no']])).toBe('NAME    UP\nnode-1  yes\nn2      no');
  });
});

describe('time formatting', () => {
  it('says how long ago, in the largest sensible unit', () => {
    const now = 1_000_000_000;
    expect(formatAgo(now - 3_000, now)).toBe('3s ago');
    expect(formatAgo(now - 600_000, now)).toBe('10m ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3h ago');
    expect(formatAgo(now - 5 * 86_400_000, now)).toBe('5d ago');
    expect(formatAgo(null, now)).toBe('never');
  });

  it('prints UTC timestamps without milliseconds', () => {
    expect(formatTimestamp(Date.UTC(2025, 0, 31, 14, 5, 9, 123))).toBe('2025-01-31 14:05:09Z');
  });
});
