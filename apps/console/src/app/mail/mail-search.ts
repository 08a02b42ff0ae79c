import { MAIL_FIELDS, type MailField } from '../api/api.types';
import { compactParams } from '../shared/url-state';

/** What the administrator types for each `GET /api/mail` field. */
export const FIELD_LABELS: Record<MailField, string> = {
  sender: 'Sender',
  rcpt: 'Recipient',
  subject: 'Subject',
  ip: 'Sender IP',
  verdict: 'Result',
  direction: 'Direction',
  attachment: 'Attachment name',
  symbol: 'Symbol that fired',
  node: 'Node',
  delivery: 'Delivery result',
  body: 'Body words',
  category: 'Category',
  virus: 'Malware name',
};

export interface Condition {
  field: MailField;
  value: string;
}

/** The search form: conditions joined by AND (`all`) or OR (`any`), in a time range (ISO-8601, "" for open). */
export interface MailSearch {
  match: 'all' | 'any';
  from: string;
  to: string;
  conditions: Condition[];
}

const isField = (key: string): key is MailField => (MAIL_FIELDS as readonly string[]).includes(key);

/** The search a URL query describes; unknown keys are left out, an empty query is an empty search. */
export function searchFromQuery(query: Record<string, string | undefined>): MailSearch {
  const conditions: Condition[] = [];
  for (const field of MAIL_FIELDS) {
    const value = query[field];
    if (value) conditions.push({ field, value });
  }
  return { match: query['match'] === 'any' ? 'any' : 'all', from: query['from'] ?? '', to: query['to'] ?? '', conditions };
}

/** The URL query and `GET /api/mail` parameters for a search: only what is set. */
export function searchToQuery(search: MailSearch): Record<string, string> {
  const fields = Object.fromEntries(search.conditions.filter((c) => isField(c.field)).map((c) => [c.field, c.value]));
  const used = Object.values(compactParams(fields)).length;
  return compactParams({ ...fields, match: search.match === 'any' && used > 1 ? 'any' : '', from: search.from, to: search.to });
}

/** Why the search cannot run, in words; empty when it can. A field tested twice is refused: each field is one parameter. */
export function searchProblems(search: MailSearch): string[] {
  const problems: string[] = [];
  const seen = new Set<MailField>();
  for (const c of search.conditions) {
    if (c.value.trim() === '') continue;
    if (seen.has(c.field)) problems.push(`${FIELD_LABELS[c.field]} appears twice: give it one value`);
    seen.add(c.field);
  }
  if (search.from && search.to && Date.parse(search.from) >= Date.parse(search.to)) problems.push('The start of the time range must come before its end');
  return problems;
}

/** The fields not used by a condition yet, the first being the one a new row starts with. */
export function unusedFields(conditions: Condition[]): MailField[] {
  return MAIL_FIELDS.filter((f) => !conditions.some((c) => c.field === f));
}

export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

/** Rows per page: the URL's `limit` when it is a whole number from 1 to 1000, else 50. */
export function pageSize(limit: string | undefined): number {
  const n = Number(limit);
  return Number.isInteger(n) && n >= 1 && n <= MAX_PAGE_SIZE ? n : DEFAULT_PAGE_SIZE;
}
