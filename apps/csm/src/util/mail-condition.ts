import { ACTION_NAMES, MAIL_CATEGORIES, MAIL_FIELDS, type MailCondition, type MailField, type MailPosition } from '../repositories/event-store.repository.js';
import { InvalidInputError } from './errors.js';
import { decodeCursor, encodeCursor } from './paging.js';
import { MAX_TEXT_PARAM } from './time-param.js';

/** Bounds on a condition tree from a request, so a hostile one costs a 400, not a huge query. */
export const MAX_CONDITION_DEPTH = 5;
export const MAX_CONDITION_LEAVES = 50;

const EXACT_VALUES: Partial<Record<MailField, readonly string[]>> = {
  verdict: ACTION_NAMES,
  direction: ['inbound', 'outbound', 'unspecified'],
  category: MAIL_CATEGORIES,
};

/**
 * Reads a condition tree from JSON: `{field, value}`, `{and: [...]}` or `{or: [...]}`. Throws InvalidInputError
 * listing each problem with its path (`where.or.1.field: ...`).
 */
export function parseMailCondition(input: unknown, path = 'where'): MailCondition {
  const problems: string[] = [];
  let leaves = 0;
  const fail = (problem: string): undefined => {
    problems.push(problem);
    return undefined;
  };
  const read = (node: unknown, at: string, depth: number): MailCondition | undefined => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return fail(`${at}: must be {field, value}, {and: [...]} or {or: [...]}`);
    const record = node as Record<string, unknown>;
    for (const op of ['and', 'or'] as const) {
      if (!(op in record)) continue;
      const children = record[op];
      if (!Array.isArray(children)) return fail(`${at}.${op}: must be a list of conditions`);
      if (depth >= MAX_CONDITION_DEPTH) return fail(`${at}: conditions nest at most ${MAX_CONDITION_DEPTH} deep`);
      const parsed = children.map((child, i) => read(child, `${at}.${op}.${i}`, depth + 1));
      return parsed.every((c) => c !== undefined) ? ({ [op]: parsed } as MailCondition) : undefined;
    }
    const { field, value } = record;
    leaves++;
    if (typeof field !== 'string' || !(MAIL_FIELDS as readonly string[]).includes(field)) return fail(`${at}.field: must be one of ${MAIL_FIELDS.join(', ')}`);
    if (typeof value !== 'string' || value.length > MAX_TEXT_PARAM) return fail(`${at}.value: must be text of at most ${MAX_TEXT_PARAM} characters`);
    const allowed = EXACT_VALUES[field as MailField];
    if (allowed && !allowed.includes(value)) return fail(`${at}.value: ${field} must be one of ${allowed.join(', ')}`);
    return { field: field as MailField, value };
  };
  const condition = read(input, path, 1);
  if (leaves > MAX_CONDITION_LEAVES) problems.push(`${path}: at most ${MAX_CONDITION_LEAVES} field conditions`);
  if (problems.length || !condition) throw new InvalidInputError('invalid search condition', problems);
  return condition;
}

/** The cursor of the page after the one ending at POSITION. */
export function encodeMailCursor(position: MailPosition): string {
  return encodeCursor([position.receivedAtMs, position.id]);
}

export function decodeMailCursor(cursor: string): MailPosition {
  const [receivedAtMs, id] = decodeCursor(cursor, ['int', 'string'] as const);
  return { receivedAtMs, id };
}

/** Each field a condition tree tests, in order (for audit details). */
export function describeCondition(condition: MailCondition | undefined): string {
  if (!condition) return 'all';
  if ('and' in condition) return `(${condition.and.map(describeCondition).join(' and ')})`;
  if ('or' in condition) return `(${condition.or.map(describeCondition).join(' or ')})`;
  return `${condition.field}=${JSON.stringify(condition.value)}`;
}
