import type { MailCondition, MailField } from './event-store.repository.js';

// A mail search condition tree as ClickHouse SQL over the `messages` table. Every value travels as a query
// parameter ({pN:String}); only the fixed snippets below are SQL text.

const FIELD_SQL: Record<MailField, (param: string) => string> = {
  sender: (p) => `positionCaseInsensitiveUTF8(mail_from, ${p}) > 0`,
  rcpt: (p) => `arrayExists(r -> positionCaseInsensitiveUTF8(r, ${p}) > 0, rcpt_to)`,
  subject: (p) => `positionCaseInsensitiveUTF8(subject, ${p}) > 0`,
  clientIp: (p) => `startsWith(client_ip, ${p})`,
  verdict: (p) => `action = ${p}`,
  direction: (p) => `direction = ${p}`,
  attachment: (p) => `arrayExists(a -> positionCaseInsensitiveUTF8(a, ${p}) > 0, attachments.name)`,
  symbol: (p) => `has(symbols.name, ${p})`,
  node: (p) => `node_id = ${p}`,
  deliveryStatus: (p) => `delivery_status = ${p}`,
  body: (p) => `positionCaseInsensitiveUTF8(body_text, ${p}) > 0`,
};

/** The condition as a SQL boolean expression; adds its values to PARAMS (names p0, p1, ...). */
export function mailConditionSql(condition: MailCondition | undefined, params: Record<string, unknown>): string {
  if (!condition) return '1';
  if ('and' in condition) return condition.and.length ? `(${condition.and.map((c) => mailConditionSql(c, params)).join(' AND ')})` : '1';
  if ('or' in condition) return condition.or.length ? `(${condition.or.map((c) => mailConditionSql(c, params)).join(' OR ')})` : '0';
  const name = `p${Object.keys(params).filter((key) => /^p\d+$/.test(key)).length}`;
  params[name] = condition.value;
  return FIELD_SQL[condition.field](`{${name}:String}`);
}
