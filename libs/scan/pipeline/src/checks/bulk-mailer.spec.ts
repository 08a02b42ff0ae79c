import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { bulkMailer } from './bulk-mailer.js';

const mail = (headers: string, body: string) => `From: a@sender.test\r\nSubject: s\r\n${headers}\r\n${body}\r\n`;

describe('bulk_mailer rule', () => {
  it('flags a spam tool in X-Mailer, and opt-out wording without List-Unsubscribe', async () => {
    expect(await ruleSymbols(bulkMailer, mail('X-Mailer: Atomic Mail Sender 9.1\r\n', 'Hi'))).toEqual([['XMAILER_SPAM_TOOL', 'x-mailer: Atomic Mail Sender 9.1']]);
    expect(await ruleSymbols(bulkMailer, mail('', 'To be removed from our list, reply with REMOVE.'))).toEqual([['BULK_NO_UNSUBSCRIBE', '"be removed" without List-Unsubscribe']]);
    expect(await ruleSymbols(bulkMailer, mail('', '수신거부를 원하시면 회신해 주세요'))).toEqual([['BULK_NO_UNSUBSCRIBE', '"수신거부" without List-Unsubscribe']]);
  });

  it('leaves lists with List-Unsubscribe and ordinary clients alone', async () => {
    expect(await ruleSymbols(bulkMailer, mail('List-Unsubscribe: <mailto:leave@list.test>\r\nX-Mailer: Microsoft Outlook 16.0\r\n', 'unsubscribe here'))).toEqual([]);
  });
});
