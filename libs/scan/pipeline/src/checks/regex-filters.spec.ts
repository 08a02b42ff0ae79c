import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { regexFilters } from './regex-filters.js';

function scan(rules: unknown[], raw: string, budgetMs = 50) {
  const policy = compilePolicy(parsePolicy({ body: { regex: { budgetMs, rules } } }), 0);
  return new Pipeline([regexFilters]).session(policy, { clientIp: '' }).data(Buffer.from(raw));
}

const message = [
  'From: shop@deals.test',
  'Subject: =?UTF-8?B?7Jik64qYIOustOujjCDsg4Hri7Q=?=',
  'X-Mailer: BulkBlaster 9',
  'Content-Type: multipart/mixed; boundary=b',
  '',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Claim your FREE money now.',
  '--b',
  'Content-Type: application/octet-stream',
  'Content-Disposition: attachment; filename="invoice.pdf.exe"',
  '',
  'AAAA',
  '--b--',
  '',
].join('\r\n');

const block = (name: string, on: string, pattern: string, extra: Record<string, unknown> = {}) => ({ name, kind: 'block', on, pattern, ...extra });

describe('regex_filters check', () => {
  it('matches subject (decoded Korean), header, body and attachment name rules', async () => {
    const verdict = await scan(
      [block('KO_SUBJECT', 'subject', '무료\\s*상담'), block('MAILER', 'header', '^bulkblaster', { header: 'X-Mailer', score: 2 }), block('FREE_MONEY', 'body', '\\bfree\\s+money\\b'), block('DOUBLE_EXT', 'attachment', '\\.pdf\\.exe$', { score: 8 })],
      message,
    );
    expect(verdict.symbols.map((s) => [s.name, s.score])).toEqual([
      ['REGEX_KO_SUBJECT', 5],
      ['REGEX_MAILER', 2],
      ['REGEX_FREE_MONEY', 5],
      ['REGEX_DOUBLE_EXT', 8],
    ]);
    expect(verdict.symbols[0]?.detail).toBe('subject matches /무료\\s*상담/: "무료 상담"');
  });

  it('does not fire rules that do not match, and honours case sensitivity', async () => {
    const verdict = await scan([block('NOPE', 'body', 'lottery'), block('CASE', 'body', 'free money', { caseSensitive: true }), block('OTHER_HEADER', 'header', '.', { header: 'x-absent' })], message);
    expect(verdict.symbols).toEqual([]);
  });

  it('forces the action of a block rule', async () => {
    expect((await scan([block('Q', 'body', 'free', { action: 'quarantine' })], message)).action).toBe('quarantine');
    const rejected = await scan([block('R', 'body', 'free', { action: 'reject' })], message);
    expect([rejected.action, rejected.reply?.code]).toEqual(['reject', 554]);
  });

  it('lets an allow rule cancel the block rules', async () => {
    const verdict = await scan([block('FREE', 'body', 'free', { action: 'reject' }), { name: 'PARTNER', kind: 'allow', on: 'header', header: 'from', pattern: '@deals\\.test$' }], message);
    expect(verdict.symbols.map((s) => [s.name, s.score])).toEqual([['REGEX_ALLOW_PARTNER', -5]]);
    expect(verdict.action).toBe('deliver');
  });

  it('runs patterns that backtrack exponentially in a backtracking engine in linear time (RE2)', async () => {
    // The classifier's old digit-word pattern: 30 digits and "_" took minutes on V8's engine.
    const hostile = `From: a@b.test\r\nSubject: x\r\n\r\n${'1'.repeat(30)}_ ${'1'.repeat(200_000)}_\r\n`;
    const started = Date.now();
    const verdict = await scan([block('DIGITS', 'body', '\\b(?:[a-z]*\\d+[a-z]*){2,}\\b'), block('NESTED', 'body', '(1+)+$'), block('LATER', 'body', '_')], hostile, 5000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(verdict.symbols.map((s) => s.name)).toEqual(['REGEX_LATER']);
  });

  it('stops at the time budget with REGEX_TIMEOUT, naming the rule, and skips the later rules', async () => {
    const long = `From: a@b.test\r\nSubject: x\r\n\r\n${'ab '.repeat(2_000_000)}\r\n`;
    const rules = Array.from({ length: 50 }, (_, i) => block(`R${i}`, 'body', `zz${i}|q+x`));
    const verdict = await scan([...rules, block('LATER', 'body', 'ab')], long, 5);
    expect(verdict.symbols.map((s) => s.name)).toEqual(['REGEX_TIMEOUT']);
    expect(verdict.symbols[0]?.detail).toMatch(/^time budget ran out in rule R\d+; later rules skipped$/);
  });
});
