import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { dateAnomaly } from './date-anomaly.js';

const mail = (headers: string) => `From: a@sender.test\r\nSubject: s\r\n${headers}\r\nbody\r\n`;
const received = 'Received: from a by b; Tue, 3 Dec 2024 10:00:00 +0000\r\n';

describe('date_anomaly rule', () => {
  it('flags a missing or malformed Date', async () => {
    expect(await ruleSymbols(dateAnomaly, mail(''))).toEqual([['DATE_MISSING', 'no Date header']]);
    expect(await ruleSymbols(dateAnomaly, mail('Date: yesterday\r\n'))).toEqual([['DATE_INVALID', 'Date: "yesterday"']]);
  });

  it('compares the Date with the oldest Received date', async () => {
    expect(await ruleSymbols(dateAnomaly, mail(`${received}Date: Tue, 3 Dec 2024 09:58:00 +0000 (UTC)\r\n`))).toEqual([]);
    expect(await ruleSymbols(dateAnomaly, mail(`${received}Date: Fri, 6 Dec 2024 10:00:00 +0000\r\n`))).toEqual([['DATE_IN_FUTURE', 'Date is 72 h after it was received']]);
    expect(await ruleSymbols(dateAnomaly, mail(`${received}Date: Mon, 4 Nov 2024 10:00:00 +0000\r\n`))).toEqual([['DATE_IN_PAST', 'Date is 29 days before it was received']]);
  });

  it('compares with the scan time without a dated Received field, and takes the policy off switch', async () => {
    expect(await ruleSymbols(dateAnomaly, mail(`Date: ${new Date().toUTCString()}\r\n`))).toEqual([]);
    expect((await ruleSymbols(dateAnomaly, mail('Date: Mon, 4 Nov 2002 10:00:00 +0000\r\n')))[0]?.[0]).toBe('DATE_IN_PAST');
    expect(await ruleSymbols(dateAnomaly, mail(''), { body: { rules: { off: ['date_anomaly'] } } })).toEqual([]);
    expect(await ruleSymbols(dateAnomaly, mail(''), { body: { rules: { enabled: false } } })).toEqual([]);
  });

  it('reads a hostile Date in linear time', async () => {
    const started = Date.now();
    await ruleSymbols(dateAnomaly, mail(`Date: 1 Jan 2024 10:00${' '.repeat(100_000)}x\r\n`));
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
