import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { replyToFreemail } from './reply-to-freemail.js';

const mail = (from: string, replyTo: string) => `From: ${from}\r\nReply-To: ${replyTo}\r\nSubject: s\r\n\r\nbody\r\n`;

describe('reply_to_freemail rule', () => {
  it('flags a free-mail Reply-To other than From', async () => {
    expect(await ruleSymbols(replyToFreemail, mail('Billing <billing@vendor.test>', 'billing.dept@gmail.com'))).toEqual([['REPLYTO_FREEMAIL', 'Reply-To billing.dept@gmail.com, From billing@vendor.test']]);
  });

  it('leaves the same address and company Reply-Tos alone', async () => {
    expect(await ruleSymbols(replyToFreemail, mail('ann@gmail.com', 'Ann <ann@gmail.com>'))).toEqual([]);
    expect(await ruleSymbols(replyToFreemail, mail('news@vendor.test', 'support@vendor.test'))).toEqual([]);
  });
});
