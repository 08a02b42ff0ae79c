import { InvalidInputError } from './errors.js';

/** Parses a time query parameter given as epoch milliseconds or ISO-8601; undefined when absent. */
export function parseTimeParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidInputError(`${name} must be epoch milliseconds or an ISO-8601 time`, [`${name}: ${value}`]);
  return ms;
}
