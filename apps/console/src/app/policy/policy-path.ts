// Reading and changing a policy document (plain JSON) at a dotted path, the way the CSM names fields in its
// problems: `thresholds.tag`, `smtpChecks.rateLimits.0.limit` (array elements by index).

/** One problem the CSM found in a document: `thresholds.tag: Expected number` → path and message. */
export interface Problem {
  path: string;
  message: string;
}

function segments(path: string): string[] {
  return path === '' ? [] : path.split('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at PATH in DOC, or undefined when any part of the path is missing. */
export function valueAt(doc: unknown, path: string): unknown {
  let node = doc;
  for (const key of segments(path)) {
    if (Array.isArray(node)) node = /^\d+$/.test(key) ? node[Number(key)] : undefined;
    else if (isRecord(node)) node = Object.hasOwn(node, key) ? node[key] : undefined;
    else return undefined;
  }
  return node;
}

/**
 * A copy of DOC with VALUE at PATH (objects created on the way); undefined removes the field, so that the policy's
 * default applies. DOC itself is not changed: only the objects along the path are copied.
 */
export function withValue<T>(doc: T, path: string, value: unknown): T {
  return setIn(doc, segments(path), value) as T;
}

function setIn(node: unknown, keys: string[], value: unknown): unknown {
  const [key, ...rest] = keys;
  if (key === undefined) return value;
  if (Array.isArray(node) && /^\d+$/.test(key)) {
    const copy = [...node];
    copy[Number(key)] = setIn(node[Number(key)], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> = isRecord(node) ? { ...node } : {};
  const next = setIn(Object.hasOwn(copy, key) ? copy[key] : undefined, rest, value);
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}

/** The CSM's problem line split into its path and message (`(root): ...` has the empty path). */
export function parseProblem(line: string): Problem {
  const colon = line.indexOf(': ');
  if (colon < 0) return { path: '', message: line };
  const path = line.slice(0, colon);
  return { path: path === '(root)' ? '' : path, message: line.slice(colon + 2) };
}

/** PROBLEMS about the field at PATH or anything inside it (`lists.ipBlock.2` belongs to `lists.ipBlock`). */
export function problemsAt(problems: readonly Problem[], path: string): Problem[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`));
}

/** A value as one short line for a diff or a default: JSON, cut at MAX characters; "—" when absent. */
export function shortValue(value: unknown, max = 160): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
