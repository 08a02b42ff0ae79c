/** The value, or a thrown error naming what was missing (instead of a non-null assertion). */
export function defined<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}
