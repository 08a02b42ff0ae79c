import { describe, expect, it } from 'vitest';
import { UsageError } from '../command.js';
import { parseBlockPeriod } from './auth-blocks.js';

describe('moat auth-blocks --for', () => {
  it('reads a number and a unit, and permanent', () => {
    expect(parseBlockPeriod('90m')).toBe(5400);
    expect(parseBlockPeriod('12h')).toBe(43_200);
    expect(parseBlockPeriod('7d')).toBe(604_800);
    expect(parseBlockPeriod('2w')).toBe(1_209_600);
    expect(parseBlockPeriod('30s')).toBe(30);
    expect(parseBlockPeriod('permanent')).toBeUndefined();
    expect(parseBlockPeriod(undefined)).toBeUndefined();
  });

  it('refuses anything else with a usage error', () => {
    for (const bad of ['', '0h', '5', 'h', '1.5h', '3y', '-1d', '1d2h', `${'9'.repeat(20)}d`]) expect(() => parseBlockPeriod(bad)).toThrow(UsageError);
  });
});
