import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { MAX_TEXT_PARAM, MAX_TIME_MS, parseTextParam, parseTimeParam } from './time-param.js';

const refusal = (run: () => unknown): InvalidInputError => {
  try {
    run();
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error('accepted');
};

describe('parseTimeParam', () => {
  it('reads epoch milliseconds and ISO-8601, and nothing for an absent or empty value', () => {
    expect(parseTimeParam('from', '1700000000000')).toBe(1_700_000_000_000);
    expect(parseTimeParam('from', '2026-01-31T12:00:00Z')).toBe(Date.UTC(2026, 0, 31, 12));
    expect(parseTimeParam('from', undefined)).toBeUndefined();
    expect(parseTimeParam('from', '')).toBeUndefined();
    expect(parseTimeParam('to', String(MAX_TIME_MS))).toBe(MAX_TIME_MS);
  });

  it('refuses a time ClickHouse cannot hold with a reason', () => {
    expect(refusal(() => parseTimeParam('from', '99999999999999999999')).problems[0]).toMatch(/^from: 99999999999999999999 is not between 1970-01-01 and 2299-12-31/);
    expect(refusal(() => parseTimeParam('to', String(MAX_TIME_MS + 1))).message).toBe('to is out of range');
    expect(refusal(() => parseTimeParam('from', '1969-12-31T23:59:59Z')).message).toBe('from is out of range');
    expect(refusal(() => parseTimeParam('from', '2300-01-01T00:00:00.000Z')).message).toBe('from is out of range');
  });

  it('refuses garbage, an over-long number and a repeated parameter', () => {
    expect(refusal(() => parseTimeParam('from', 'yesterday')).message).toBe('from must be epoch milliseconds or an ISO-8601 time');
    for (const loose of ['-5', 'foo 1', 'Jan 5 2026', '2026-1-5']) expect(() => parseTimeParam('from', loose)).toThrow(InvalidInputError);
    expect(parseTimeParam('from', '2026-01-31 12:00+09:00')).toBe(Date.UTC(2026, 0, 31, 3));
    expect(refusal(() => parseTimeParam('from', '9'.repeat(400))).message).toBe('from must be epoch milliseconds or an ISO-8601 time');
    expect(refusal(() => parseTimeParam('from', ['1', '2'])).problems).toEqual(['from: given 2 times']);
  });
});

describe('parseTextParam', () => {
  it('passes text through and refuses repeats, structures and over-long values', () => {
    expect(parseTextParam('sender', 'alice@')).toBe('alice@');
    expect(parseTextParam('sender', undefined)).toBeUndefined();
    expect(refusal(() => parseTextParam('sender', ['a', 'b'])).message).toBe('sender must be given once, as text');
    expect(refusal(() => parseTextParam('sender', { x: '1' })).problems).toEqual(['sender: given as a structure']);
    expect(refusal(() => parseTextParam('subject', 'x'.repeat(MAX_TEXT_PARAM + 1))).message).toBe('subject is too long');
  });
});
