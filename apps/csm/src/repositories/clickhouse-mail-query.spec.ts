import { describe, expect, it } from 'vitest';
import type { MailCondition } from './event-store.repository.js';
import { addressMatchKey, addressParts, CATEGORY_SQL, containsPattern, mailConditionSql, RANGE, VIRUS_NAMES_SQL } from './clickhouse-mail-query.js';

describe('mailConditionSql', () => {
  it('turns a condition tree into SQL with every value as a parameter', () => {
    const params: Record<string, unknown> = { fromMs: 0 };
    const sql = mailConditionSql({ or: [{ field: 'sender', value: "x' OR 1=1 --" }, { and: [{ field: 'verdict', value: 'quarantine' }, { field: 'clientIp', value: '192.0.2.' }] }] }, params);
    expect(sql).toBe(
      '((lowerUTF8(mail_from) LIKE lowerUTF8({l0:String}) AND positionCaseInsensitiveUTF8(mail_from, {p0:String}) > 0) OR (action = {p1:String} AND startsWith(client_ip, {p2:String})))',
    );
    expect(params).toEqual({ fromMs: 0, p0: "x' OR 1=1 --", l0: "%x' OR 1=1 --%", p1: 'quarantine', p2: '192.0.2.' });
  });

  it('matches everything without a condition or with an empty and, nothing with an empty or', () => {
    expect(mailConditionSql(undefined, {})).toBe('1');
    expect(mailConditionSql({ and: [] }, {})).toBe('1');
    expect(mailConditionSql({ or: [] }, {})).toBe('0');
  });

  it('reads attachments, symbols and recipients as arrays; recipients also through the joined text the bloom filter indexes', () => {
    const params = {};
    expect(mailConditionSql({ and: [{ field: 'attachment', value: '.exe' }, { field: 'symbol', value: 'AV_VIRUS' }, { field: 'rcpt', value: 'alice@' }] }, params)).toBe(
      "(arrayExists(a -> positionCaseInsensitiveUTF8(a, {p0:String}) > 0, attachments.name) AND has(symbols.name, {p1:String}) AND (lowerUTF8(arrayStringConcat(rcpt_to, ' ')) LIKE lowerUTF8({l2:String}) AND arrayExists(r -> positionCaseInsensitiveUTF8(r, {p2:String}) > 0, rcpt_to)))",
    );
    expect(params).toEqual({ p0: '.exe', p1: 'AV_VIRUS', p2: 'alice@', l2: '%alice@%' });
  });

  it('escapes the characters LIKE gives a meaning, so a part matches itself', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
    expect(containsPattern('')).toBe('%%');
  });

  it('finds body words in the stored start of the text, in any case', () => {
    const params = {};
    expect(mailConditionSql({ field: 'body', value: 'Quarterly' }, params)).toBe('positionCaseInsensitiveUTF8(body_text, {p0:String}) > 0');
    expect(params).toEqual({ p0: 'Quarterly' });
  });

  it('tests the category and the malware name through the shared expressions', () => {
    const params = {};
    const sql = mailConditionSql({ and: [{ field: 'category', value: 'virus' }, { field: 'virus', value: 'Eicar-Test-Signature' }] }, params);
    expect(sql).toBe(`(${CATEGORY_SQL} = {p0:String} AND has(${VIRUS_NAMES_SQL}, {p1:String}))`);
    expect(params).toEqual({ p0: 'virus', p1: 'Eicar-Test-Signature' });
  });

  it('lists the sender and recipient parts of a tree once each, and no other field', () => {
    const where: MailCondition = {
      or: [
        { field: 'sender', value: 'lena@' },
        { and: [{ field: 'rcpt', value: 'bob@example.test' }, { field: 'subject', value: 'lena@' }, { field: 'sender', value: 'lena@' }] },
        { field: 'rcpt', value: 'lena@' },
      ],
    };
    expect(addressParts(where)).toEqual([
      { field: 'sender', value: 'lena@' },
      { field: 'rcpt', value: 'bob@example.test' },
      { field: 'rcpt', value: 'lena@' },
    ]);
    expect(addressParts(undefined)).toEqual([]);
  });

  it('narrows a sender or recipient part with matched addresses to the times of their messages in the range', () => {
    const params: Record<string, unknown> = { fromMs: 0, toMs: 1 };
    const matches = new Map([[addressMatchKey('rcpt', 'Bob@'), ['bob@example.test', 'bob@corp.test']]]);
    const sql = mailConditionSql({ and: [{ field: 'verdict', value: 'deliver' }, { field: 'rcpt', value: 'Bob@' }, { field: 'sender', value: 'Bob@' }] }, params, matches);
    expect(sql).toBe(
      '(action = {p0:String}' +
        ` AND (received_at IN (SELECT received_at FROM address_times WHERE role = 'rcpt' AND address IN {a1:Array(String)} AND ${RANGE})` +
        " AND (lowerUTF8(arrayStringConcat(rcpt_to, ' ')) LIKE lowerUTF8({l1:String}) AND arrayExists(r -> positionCaseInsensitiveUTF8(r, {p1:String}) > 0, rcpt_to)))" +
        // No entry for the sender part (it matched too many addresses): the bloom filter path alone.
        ' AND (lowerUTF8(mail_from) LIKE lowerUTF8({l2:String}) AND positionCaseInsensitiveUTF8(mail_from, {p2:String}) > 0))',
    );
    expect(params).toMatchObject({ p1: 'Bob@', a1: ['bob@example.test', 'bob@corp.test'], p2: 'Bob@' });
    expect(params).not.toHaveProperty('a2');
  });

  it('matches nothing for a part no stored address contains', () => {
    const params = {};
    const matches = new Map([[addressMatchKey('sender', 'nobody@'), []]]);
    expect(mailConditionSql({ or: [{ field: 'sender', value: 'nobody@' }, { field: 'subject', value: 'x' }] }, params, matches)).toBe(
      '(0 OR (lowerUTF8(subject) LIKE lowerUTF8({l0:String}) AND positionCaseInsensitiveUTF8(subject, {p0:String}) > 0))',
    );
  });
});
