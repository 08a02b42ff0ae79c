import { relativeTime } from './relative-time';

describe('relativeTime', () => {
  const now = 1_000_000_000;

  it.each([
    [now - 4_000, '4 s ago'],
    [now - 125_000, '2 min ago'],
    [now - 3 * 3_600_000, '3 h ago'],
    [now - 50 * 3_600_000, '2 d ago'],
    [now + 2_000, '0 s ago'],
    [0, 'never'],
  ])('%d → %s', (then, expected) => {
    expect(relativeTime(then, now)).toBe(expected);
  });
});
