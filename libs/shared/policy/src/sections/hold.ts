import { z } from 'zod';

// F9: delivery hold windows of a domain (`domains[].holds`). Inside a window, inbound mail for the domain is
// accepted, scanned and spooled as usual but not delivered; when the window ends (or an administrator releases the
// domain) the node delivers it in order of receipt. Times are wall-clock times in the window's IANA time zone, so
// a daily 02:00 window stays at 02:00 local time across DST changes. A local start that does not exist (inside a
// spring-forward gap) moves forward by the gap; one that exists twice (fall back) is the earlier instant.

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** The longest window: a month of maintenance is already more than anyone holds mail for. */
const MAX_DURATION_MINUTES = 31 * 24 * 60;
/** A repeating window is shorter than its period, so one window never holds mail for good. */
const PERIOD_MINUTES = { once: MAX_DURATION_MINUTES, daily: 24 * 60 - 1, weekly: 7 * 24 * 60 - 1, monthly: 28 * 24 * 60 - 1 } as const;
/** Windows that follow each other without a gap make one hold; after this many the hold ends anyway. */
const MAX_CHAINED = 64;

export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `unknown time zone ${JSON.stringify(zone)} (an IANA name such as Europe/Paris)`;
  }
}

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const holdWindowSchema = z
  .object({
    kind: z.enum(['once', 'daily', 'weekly', 'monthly']),
    /** Local start time. */
    at: timeOfDay,
    /** `once`: the local date of the start. */
    date: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be YYYY-MM-DD').optional(),
    /** `weekly`: the day of the start. */
    weekday: z.enum(WEEKDAYS).optional(),
    /** `monthly`: the day of the month of the start; in a shorter month, its last day. */
    day: z.number().int().min(1).max(31).optional(),
    durationMinutes: z.number().int().min(1).max(MAX_DURATION_MINUTES),
    timeZone: z.string().min(1).default('UTC'),
  })
  .strict()
  .superRefine((w, ctx) => {
    const problem = timeZoneProblem(w.timeZone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['timeZone'], message: problem });
    const needs = { once: 'date', daily: undefined, weekly: 'weekday', monthly: 'day' } as const;
    for (const field of ['date', 'weekday', 'day'] as const) {
      if (needs[w.kind] === field && w[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for a ${w.kind} window` });
      if (needs[w.kind] !== field && w[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `not used by a ${w.kind} window` });
    }
    if (w.durationMinutes > PERIOD_MINUTES[w.kind]) ctx.addIssue({ code: 'custom', path: ['durationMinutes'], message: `a ${w.kind} window lasts at most ${PERIOD_MINUTES[w.kind]} minutes` });
    if (w.date && !validDate(w.date)) ctx.addIssue({ code: 'custom', path: ['date'], message: `${w.date} is not a date` });
  });

export type HoldWindow = z.output<typeof holdWindowSchema>;

/** One occurrence of a window: [startMs, endMs). */
export interface HoldSpan {
  startMs: number;
  endMs: number;
}

/** The occurrence of any of WINDOWS that contains NOW and ends last (overlapping occurrences are one hold). */
export function activeHold(windows: readonly HoldWindow[], nowMs: number): HoldSpan | undefined {
  let found: HoldSpan | undefined;
  for (const w of windows) {
    for (const span of occurrencesAround(w, nowMs)) {
      if (span.startMs <= nowMs && nowMs < span.endMs && (!found || span.endMs > found.endMs)) found = span;
    }
  }
  if (!found) return undefined;
  // A window that starts as (or before) another ends extends the hold (a bounded number of times).
  for (let extended = true, rounds = 0; extended && rounds < MAX_CHAINED; rounds++) {
    extended = false;
    for (const w of windows) {
      for (const span of occurrencesAround(w, found.endMs)) {
        if (span.startMs <= found.endMs && found.endMs < span.endMs) {
          found = { startMs: found.startMs, endMs: span.endMs };
          extended = true;
        }
      }
    }
  }
  return found;
}

/** The first occurrence of any of WINDOWS that starts after NOW, looking at most 400 days ahead. */
export function nextHold(windows: readonly HoldWindow[], nowMs: number): HoldSpan | undefined {
  let found: HoldSpan | undefined;
  for (const w of windows) {
    const zone = zoneParts(w.timeZone, nowMs);
    for (let offset = 0; offset <= 400; offset++) {
      const span = occurrenceOn(w, addDays(zone, offset));
      if (span && span.startMs > nowMs) {
        if (!found || span.startMs < found.startMs) found = span;
        break;
      }
    }
  }
  return found;
}

/** Occurrences whose local start date lies from (NOW - duration - 1 day) to NOW + 1 day in the window's zone. */
function occurrencesAround(w: HoldWindow, nowMs: number): HoldSpan[] {
  const today = zoneParts(w.timeZone, nowMs);
  const spans: HoldSpan[] = [];
  const back = Math.ceil(w.durationMinutes / (24 * 60)) + 1;
  for (let offset = -back; offset <= 1; offset++) {
    const span = occurrenceOn(w, addDays(today, offset));
    if (span) spans.push(span);
  }
  return spans;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** The occurrence of W that starts on local date D, if it has one. */
function occurrenceOn(w: HoldWindow, d: LocalDate): HoldSpan | undefined {
  const dayOfWeek = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  const starts =
    w.kind === 'daily' ||
    (w.kind === 'once' && w.date === isoDate(d)) ||
    (w.kind === 'weekly' && WEEKDAYS[dayOfWeek] === w.weekday) ||
    (w.kind === 'monthly' && d.day === Math.min(w.day ?? 1, daysInMonth(d.year, d.month)));
  if (!starts) return undefined;
  const [hour, minute] = w.at.split(':').map(Number) as [number, number];
  const startMs = zonedToUtc(w.timeZone, d, hour, minute);
  return { startMs, endMs: startMs + w.durationMinutes * MINUTE_MS };
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, f);
  }
  return f;
}

function zoneParts(zone: string, ms: number): LocalDate & { hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const p of format(zone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts['year']!, month: parts['month']!, day: parts['day']!, hour: parts['hour']!, minute: parts['minute']!, second: parts['second']! };
}

/** The zone's offset from UTC at instant MS (local wall time minus UTC), in milliseconds. */
function offsetAt(zone: string, ms: number): number {
  const p = zoneParts(zone, ms);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant of local time D HOUR:MINUTE in ZONE (a gap moves forward, an overlap takes the earlier instant). */
export function zonedToUtc(zone: string, d: LocalDate, hour: number, minute: number): number {
  const wall = Date.UTC(d.year, d.month - 1, d.day, hour, minute);
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  const valid = [wall - before, wall - after].filter((t) => offsetAt(zone, t) === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  return wall - before;
}

function addDays(d: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isoDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

function validDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return day <= daysInMonth(year, month);
}
