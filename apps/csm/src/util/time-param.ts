import { InvalidInputError } from './errors.js';

/** The latest time a DateTime64(3) column holds (2299-12-31T23:59:59.999Z); later values overflow in ClickHouse. */
export const MAX_TIME_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);
/**
 * ISO-8601 date or date-time (2026-01-31, 2026-01-31T12:00, ...:05.123Z, +09:00). Checked before Date.parse,
 * whose fallback parser reads almost anything ("-5", "foo 1") as some date.
 */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
/** Longest text a query parameter may carry (a search word, an address); longer is refused, not truncated. */
export const MAX_TEXT_PARAM = 1000;

/**
 * A text query parameter; undefined when absent. A repeated parameter (`?a=1&a=2`, an array after parsing) or
 * one longer than MAX_TEXT_PARAM is refused with a 400 rather than handed to a query.
 */
export function parseTextParam(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInputError(`${name} must be given once, as text`, [`${name}: given ${Array.isArray(value) ? `${value.length} times` : 'as a structure'}`]);
  if (value.length > MAX_TEXT_PARAM) throw new InvalidInputError(`${name} is too long`, [`${name}: ${value.length} characters, at most ${MAX_TEXT_PARAM}`]);
  return value;
}

/**
 * Parses a time query parameter given as epoch milliseconds or ISO-8601; undefined when absent. Times before
 * 1970 or after MAX_TIME_MS are refused: ClickHouse would overflow them into other dates or fail the query.
 */
export function parseTimeParam(name: string, value: unknown): number | undefined {
  const text = parseTextParam(name, value);
  if (text === undefined || text === '') return undefined;
  const ms = /^\d{1,20}$/.test(text) ? Number(text) : ISO_8601.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidInputError(`${name} must be epoch milliseconds or an ISO-8601 time`, [`${name}: ${text.slice(0, 100)}`]);
  if (ms < 0 || ms > MAX_TIME_MS) {
    throw new InvalidInputError(`${name} is out of range`, [`${name}: ${text.slice(0, 100)} is not between 1970-01-01 and ${new Date(MAX_TIME_MS).toISOString()}`]);
  }
  return ms;
}

/** A policy version number from a query parameter or body field; undefined when absent. */
export function parseVersionParam(name: string, value: unknown): number | undefined {
  const text = parseTextParam(name, value);
  if (text === undefined || text === '') return undefined;
  if (!/^[1-9]\d{0,14}$/.test(text)) throw new InvalidInputError(`invalid ${name}`, [`${name}: must be a policy version number, got ${text.slice(0, 40)}`]);
  return Number(text);
}
