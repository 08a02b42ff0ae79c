import { describe, expect, it } from 'vitest';
import { expiresIn, parseDays } from './quarantine-view';

describe('quarantine view', () => {
  it('says when a held message goes', () => {
    const now = 1_000_000_000;
    expect(expiresIn(now + 29.5 * 86_400_000, now)).toBe('in 29 days');
    expect(expiresIn(now + 30 * 3_600_000, now)).toBe('in 30 h');
    expect(expiresIn(now + 90_000, now)).toBe('in 1 min');
    expect(expiresIn(now + 10, now)).toBe('in 1 min');
    expect(expiresIn(now, now)).toBe('at the next sweep');
  });

  it('reads the days a message is kept', () => {
    expect(parseDays(' 14 ')).toEqual({ days: 14 });
    expect(parseDays('0.5')).toEqual({ days: 0.5 });
    for (const bad of ['', '0', '-1', 'ten', '4000']) expect(parseDays(bad)).toEqual({ problem: expect.stringMatching(/^Days must be/) });
  });
});
