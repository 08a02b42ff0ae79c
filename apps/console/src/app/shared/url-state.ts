/**
 * Page state kept in the URL query (deep links, back button). Times travel as ISO-8601 (the API takes them as is);
 * the form shows them in the browser's time zone through `<input type="datetime-local">`.
 */

/** `datetime-local` value (local time, minutes) for an ISO time; "" for an empty or unreadable one. */
export function isoToLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (!iso || Number.isNaN(ms)) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO-8601 for a `datetime-local` value; "" for an empty or unreadable one. */
export function localInputToIso(local: string): string {
  const ms = local ? new Date(local).getTime() : Number.NaN;
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
}

/** The non-empty entries only, trimmed: the query a page puts in its URL and sends to the API. */
export function compactParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .map(([k, v]) => [k, v.trim()] as const)
      .filter(([, v]) => v !== ''),
  );
}

/** True when two queries hold the same entries, in any order. */
export function sameQuery(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
