import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import type { Direction } from '../types.js';
import { dlp } from './dlp.js';

// Valid resident registration numbers (date, gender digit and check digit hold).
const RRNS = ['900101-1234568', '850615-2345674', '991231-2123452', '000229-4123457', '750505-1555558'];

const policyWith = (dlpSection: object) => compilePolicy(parsePolicy({ dlp: dlpSection }), 0);
const HOLD_FIVE = { enabled: true, rules: { rrn: { threshold: 5, action: 'hold' }, card: { threshold: 1, action: 'block' }, phone: { threshold: 1, action: 'log' } } };

async function scan(section: object, text: string, direction: Direction = 'outbound') {
  const raw = Buffer.from(`From: a@b.test\r\nSubject: list\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`);
  const verdict = await new Pipeline([dlp]).session(policyWith(section), { clientIp: '', direction }).data(raw);
  return { action: verdict.action, reply: verdict.reply, symbols: verdict.symbols.map((s) => [s.name, s.detail]) };
}

describe('dlp check', () => {
  it('holds outbound mail with five resident numbers, masked in the detail', async () => {
    const result = await scan(HOLD_FIVE, RRNS.join('\n'));
    expect(result.action).toBe('hold');
    expect(result.symbols).toEqual([['DLP_RRN', '5 distinct (900101-1******, 850615-2******, 991231-2******) in 1; threshold 5 reached: hold']]);
    for (const rrn of RRNS) expect(JSON.stringify(result)).not.toContain(rrn.slice(7));
  });

  it('logs below the threshold and delivers', async () => {
    const result = await scan(HOLD_FIVE, `${RRNS.slice(0, 4).join(', ')} 010-1234-5678`);
    expect(result.action).toBe('deliver');
    expect(result.symbols.map(([name]) => name)).toEqual(['DLP_RRN', 'DLP_PHONE']);
    expect(result.symbols[1]?.[1]).toBe('1 distinct (010-****-5678) in 1; threshold 1 reached: log');
  });

  it('refuses with 554 when a block rule is reached, the most severe action winning', async () => {
    const result = await scan(HOLD_FIVE, `${RRNS.join(' ')} card 4111 1111 1111 1111`);
    expect(result.action).toBe('reject');
    expect(result.reply?.code).toBe(554);
    expect(result.reply?.message).toContain('personal data');
  });

  it('ignores numbers failing their checksum, inbound mail and a disabled section', async () => {
    expect((await scan(HOLD_FIVE, ['900101-1234567', '850615-2345670', '991231-2123450', '000229-4123450', '750505-1555550'].join('\n'))).symbols).toEqual([]);
    expect(await scan(HOLD_FIVE, RRNS.join('\n'), 'inbound')).toMatchObject({ action: 'deliver', symbols: [] });
    expect(await scan({ ...HOLD_FIVE, enabled: false }, RRNS.join('\n'))).toMatchObject({ action: 'deliver', symbols: [] });
  });
});
