import type { MailCondition, MailField } from './event-store.repository.js';

// A mail search condition tree as ClickHouse SQL over the `messages` table. Every value travels as a query
// parameter ({pN:String}); only the fixed snippets below are SQL text.

/** The search's time range over a row's `received_at` ({fromMs:Int64} inclusive, {toMs:Int64} exclusive). */
export const RANGE = `received_at >= fromUnixTimestamp64Milli({fromMs:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({toMs:Int64}, 'UTC')`;

/** The message's category (MAIL_CATEGORIES, in their order of precedence), over a `messages` row. */
export const CATEGORY_SQL = `multiIf(
  hasAny(symbols.name, ['AV_VIRUS', 'AV_HASH']), 'virus',
  has(symbols.name, 'RANSOMWARE'), 'ransomware',
  arrayExists(s -> startsWith(s, 'DLP_'), symbols.name), 'personal-data',
  action IN ('reject', 'tempfail'), 'rejected',
  action IN ('tag', 'quarantine', 'hold', 'discard'), 'spam',
  'normal')`;

/**
 * The names antivirus engines gave the message's malware: the end of each AV_VIRUS / AV_HASH detail
 * (`invoice.zip/a.exe: clamav: Win.Trojan.X` names `Win.Trojan.X`).
 */
export const VIRUS_NAMES_SQL = `arrayMap(d -> splitByString(': ', d)[-1], arrayFilter((d, n) -> has(['AV_VIRUS', 'AV_HASH'], n), symbols.detail, symbols.name))`;

/**
 * The part tests on sender, recipients and subject also test a LIKE over the expression of the table's n-gram
 * bloom filter ({lN:String} is `%part%` with LIKE's special characters escaped): a granule whose filter lacks
 * the part's n-grams is skipped. The LIKE only narrows what position() matches anyway, so results are the same.
 */
const FIELD_SQL: Record<MailField, (param: string, like: string) => string> = {
  sender: (p, like) => `(lowerUTF8(mail_from) LIKE lowerUTF8(${like}) AND positionCaseInsensitiveUTF8(mail_from, ${p}) > 0)`,
  rcpt: (p, like) => `(lowerUTF8(arrayStringConcat(rcpt_to, ' ')) LIKE lowerUTF8(${like}) AND arrayExists(r -> positionCaseInsensitiveUTF8(r, ${p}) > 0, rcpt_to))`,
  subject: (p, like) => `(lowerUTF8(subject) LIKE lowerUTF8(${like}) AND positionCaseInsensitiveUTF8(subject, ${p}) > 0)`,
  clientIp: (p) => `startsWith(client_ip, ${p})`,
  verdict: (p) => `action = ${p}`,
  direction: (p) => `direction = ${p}`,
  attachment: (p) => `arrayExists(a -> positionCaseInsensitiveUTF8(a, ${p}) > 0, attachments.name)`,
  symbol: (p) => `has(symbols.name, ${p})`,
  node: (p) => `node_id = ${p}`,
  deliveryStatus: (p) => `delivery_status = ${p}`,
  body: (p) => `positionCaseInsensitiveUTF8(body_text, ${p}) > 0`,
  category: (p) => `${CATEGORY_SQL} = ${p}`,
  virus: (p) => `has(${VIRUS_NAMES_SQL}, ${p})`,
};

const LIKE_FIELDS: ReadonlySet<MailField> = new Set(['sender', 'rcpt', 'subject']);

/** The fields whose parts are looked up among the stored addresses (`mail_addresses`, `address_times`), and their role there. */
export const ADDRESS_ROLES = { sender: 'sender', rcpt: 'rcpt' } as const satisfies Partial<Record<MailField, string>>;
export type AddressField = keyof typeof ADDRESS_ROLES;

/**
 * For a sender or recipient part (by addressMatchKey): every stored address of the range that contains it, when
 * they are few enough for the primary-key path. A part without an entry is searched through the bloom filter alone.
 */
export type AddressMatches = ReadonlyMap<string, readonly string[]>;

export const addressMatchKey = (field: AddressField, value: string): string => `${field}\n${value}`;

const isAddressField = (field: MailField): field is AddressField => Object.hasOwn(ADDRESS_ROLES, field);

/** The sender and recipient parts of CONDITION, each (field, value) once. */
export function addressParts(condition: MailCondition | undefined): { field: AddressField; value: string }[] {
  const parts = new Map<string, { field: AddressField; value: string }>();
  const visit = (node: MailCondition): void => {
    if ('and' in node) node.and.forEach(visit);
    else if ('or' in node) node.or.forEach(visit);
    else if (isAddressField(node.field)) parts.set(addressMatchKey(node.field, node.value), { field: node.field, value: node.value });
  };
  if (condition) visit(condition);
  return [...parts.values()];
}

/** `%VALUE%` for LIKE, with `\`, `%` and `_` in VALUE matching themselves. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * The condition as a SQL boolean expression; adds its values to PARAMS (names p0, p1, ...; LIKE patterns l0, l1,
 * ...; matched addresses a0, a1, ...). A sender or recipient part with MATCHES also tests `received_at` against
 * the times of those addresses' messages in the range (PARAMS' fromMs and toMs): the primary key then leaves
 * only the granules holding them. Every matching row is at one of those times, so results are the same; a part
 * no stored address contains matches nothing.
 */
export function mailConditionSql(condition: MailCondition | undefined, params: Record<string, unknown>, matches: AddressMatches = new Map()): string {
  if (!condition) return '1';
  if ('and' in condition) return condition.and.length ? `(${condition.and.map((c) => mailConditionSql(c, params, matches)).join(' AND ')})` : '1';
  if ('or' in condition) return condition.or.length ? `(${condition.or.map((c) => mailConditionSql(c, params, matches)).join(' OR ')})` : '0';
  const { field, value } = condition;
  const addressField = isAddressField(field) ? field : undefined;
  const addresses = addressField && matches.get(addressMatchKey(addressField, value));
  if (addresses?.length === 0) return '0';
  const index = Object.keys(params).filter((key) => /^p\d+$/.test(key)).length;
  params[`p${index}`] = value;
  if (LIKE_FIELDS.has(field)) params[`l${index}`] = containsPattern(value);
  const test = FIELD_SQL[field](`{p${index}:String}`, `{l${index}:String}`);
  if (!addressField || !addresses) return test;
  params[`a${index}`] = addresses;
  return `(received_at IN (SELECT received_at FROM address_times WHERE role = '${ADDRESS_ROLES[addressField]}' AND address IN {a${index}:Array(String)} AND ${RANGE}) AND ${test})`;
}
