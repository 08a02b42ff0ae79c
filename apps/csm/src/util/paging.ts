import type { TimeRange } from '../repositories/event-store.repository.js';
import { InvalidInputError } from './errors.js';
import { parseTextParam, parseTimeParam } from './time-param.js';

/** The end of a range left open: a day ahead, so mail stamped by a node whose clock runs fast still shows. */
const OPEN_END_MS = 24 * 3600 * 1000;

/** A page size from a query parameter or a JSON number; FALLBACK when absent, a problem unless 1..MAX. */
export function parseLimit(value: unknown, fallback: number, max: number, problems: string[]): number {
  const text = typeof value === 'number' ? String(value) : parseTextParam('limit', value);
  const limit = text === undefined || text === '' ? fallback : Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) problems.push(`limit: must be an integer from 1 to ${max}`);
  return limit;
}

/** from/to (ISO-8601 or epoch ms, as text or a JSON number); all time when absent; a problem unless from < to. */
export function parseRange(from: unknown, to: unknown, problems: string[]): TimeRange {
  const fromMs = parseTimeParam('from', typeof from === 'number' ? String(from) : from) ?? 0;
  const toMs = parseTimeParam('to', typeof to === 'number' ? String(to) : to) ?? Date.now() + OPEN_END_MS;
  if (fromMs >= toMs) problems.push('from: must be before to');
  return { fromMs, toMs };
}

type CursorPart = 'int' | 'string';
type CursorValues<T extends readonly CursorPart[]> = { [K in keyof T]: T[K] extends 'int' ? number : string };

/** An opaque keyset cursor: the sort key of the last row of a page. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Reads a cursor made by encodeCursor with parts of the KINDS given (ints are >= 0); 400 for anything else. */
export function decodeCursor<const T extends readonly CursorPart[]>(cursor: string, kinds: T): CursorValues<T> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const fits =
    Array.isArray(decoded) &&
    decoded.length === kinds.length &&
    kinds.every((kind, i) => (kind === 'int' ? Number.isSafeInteger(decoded[i]) && decoded[i] >= 0 : typeof decoded[i] === 'string'));
  if (!fits) throw new InvalidInputError('invalid cursor', ['cursor: must be the nextCursor of a previous page']);
  return decoded as CursorValues<T>;
}
