import { describe, expect, it } from 'vitest';
import { activeHold, holdWindowSchema, nextHold, parsePolicy, PolicyValidationError, type HoldWindow } from '../index.js';

const at = (iso: string) => Date.parse(iso);
const window = (input: Record<string, unknown>): HoldWindow => holdWindowSchema.parse(input);
const iso = (span: { startMs: number; endMs: number } | undefined) => span && [new Date(span.startMs).toISOString(), new Date(span.endMs).toISOString()];

describe('delivery hold windows', () => {
  it('a daily window in a zone: inside and outside, and the next one', () => {
    const w = window({ kind: 'daily', at: '22:00', durationMinutes: 240, timeZone: 'Europe/Paris' });
    // 22:00 Paris in winter is 21:00Z; the window crosses midnight.
    expect(iso(activeHold([w], at('2026-01-15T23:30:00Z')))).toEqual(['2026-01-15T21:00:00.000Z', '2026-01-16T01:00:00.000Z']);
    expect(activeHold([w], at('2026-01-16T01:00:00Z'))).toBeUndefined();
    expect(activeHold([w], at('2026-01-15T20:59:59Z'))).toBeUndefined();
    expect(iso(nextHold([w], at('2026-01-16T01:00:00Z')))?.[0]).toBe('2026-01-16T21:00:00.000Z');
  });

  it('keeps local time across DST: 02:30 is skipped in spring (moves to 03:30) and taken once in autumn', () => {
    const w = window({ kind: 'daily', at: '02:30', durationMinutes: 60, timeZone: 'America/New_York' });
    // Before the change: EST (-5).
    expect(iso(nextHold([w], at('2026-03-07T12:00:00Z')))?.[0]).toBe('2026-03-08T07:30:00.000Z');
    // 2026-03-08 02:30 does not exist in New York: the start moves forward by the gap, to 03:30 EDT = 07:30Z.
    expect(iso(activeHold([w], at('2026-03-08T08:00:00Z')))).toEqual(['2026-03-08T07:30:00.000Z', '2026-03-08T08:30:00.000Z']);
    // The day after: EDT (-4).
    expect(iso(nextHold([w], at('2026-03-08T12:00:00Z')))?.[0]).toBe('2026-03-09T06:30:00.000Z');
    // 2026-11-01 01:30 happens twice; a 01:30 window starts at the first (EDT, 05:30Z).
    const autumn = window({ kind: 'daily', at: '01:30', durationMinutes: 30, timeZone: 'America/New_York' });
    expect(iso(nextHold([autumn], at('2026-11-01T00:00:00Z')))?.[0]).toBe('2026-11-01T05:30:00.000Z');
    expect(activeHold([autumn], at('2026-11-01T06:45:00Z'))).toBeUndefined();
  });

  it('a weekly window on its weekday in its zone', () => {
    const w = window({ kind: 'weekly', weekday: 'sun', at: '23:00', durationMinutes: 120, timeZone: 'Asia/Tokyo' });
    // Sunday 2026-01-18 23:00 JST = 14:00Z.
    expect(iso(nextHold([w], at('2026-01-14T00:00:00Z')))?.[0]).toBe('2026-01-18T14:00:00.000Z');
    expect(activeHold([w], at('2026-01-18T15:30:00Z'))).toBeDefined();
    expect(activeHold([w], at('2026-01-19T15:30:00Z'))).toBeUndefined();
  });

  it('monthly on the 31st: the last day of shorter months', () => {
    const w = window({ kind: 'monthly', day: 31, at: '00:00', durationMinutes: 60 });
    expect(iso(nextHold([w], at('2026-02-01T00:00:00Z')))?.[0]).toBe('2026-02-28T00:00:00.000Z');
    expect(iso(nextHold([w], at('2028-02-01T00:00:00Z')))?.[0]).toBe('2028-02-29T00:00:00.000Z');
    expect(iso(nextHold([w], at('2026-04-01T00:00:00Z')))?.[0]).toBe('2026-04-30T00:00:00.000Z');
    expect(iso(nextHold([w], at('2026-05-01T00:00:00Z')))?.[0]).toBe('2026-05-31T00:00:00.000Z');
  });

  it('a once window happens once; windows that meet are one hold', () => {
    const once = window({ kind: 'once', date: '2026-06-01', at: '10:00', durationMinutes: 30 });
    expect(activeHold([once], at('2026-06-01T10:15:00Z'))).toBeDefined();
    expect(nextHold([once], at('2026-06-01T10:15:00Z'))).toBeUndefined();
    const next = window({ kind: 'once', date: '2026-06-01', at: '10:30', durationMinutes: 30 });
    expect(iso(activeHold([once, next], at('2026-06-01T10:15:00Z')))).toEqual(['2026-06-01T10:00:00.000Z', '2026-06-01T11:00:00.000Z']);
  });

  it('validation names the field and the problem', () => {
    const problems = (holds: unknown[]) => {
      try {
        parsePolicy({ domains: [{ name: 'a.test', downstream: { host: 'mx' }, holds }] });
        return [];
      } catch (err) {
        return (err as PolicyValidationError).problems;
      }
    };
    expect(problems([{ kind: 'daily', at: '02:00', durationMinutes: 60, timeZone: 'Mars/Olympus' }])).toEqual([expect.stringMatching(/domains\.0\.holds\.0\.timeZone.*unknown time zone/)]);
    expect(problems([{ kind: 'weekly', at: '02:00', durationMinutes: 60 }])).toEqual([expect.stringMatching(/holds\.0\.weekday.*required for a weekly window/)]);
    expect(problems([{ kind: 'daily', at: '25:00', durationMinutes: 60 }])).toEqual([expect.stringMatching(/holds\.0\.at.*HH:MM/)]);
    expect(problems([{ kind: 'daily', at: '02:00', durationMinutes: 1440 }])).toEqual([expect.stringMatching(/durationMinutes.*at most 1439/)]);
    expect(problems([{ kind: 'once', date: '2026-02-30', at: '02:00', durationMinutes: 5 }])).toEqual([expect.stringMatching(/holds\.0\.date.*not a date/)]);
    expect(problems([{ kind: 'daily', day: 3, at: '02:00', durationMinutes: 5 }])).toEqual([expect.stringMatching(/holds\.0\.day.*not used/)]);
    expect(parsePolicy({ domains: [{ name: 'a.test', downstream: { host: 'mx' } }] }).domains[0]?.holds).toEqual([]);
  });
});
