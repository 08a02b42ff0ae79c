import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { fromAnomaly } from './from-anomaly.js';

const mail = (from: string) => `From: ${from}\r\nSubject: s\r\n\r\nbody\r\n`;

describe('from_anomaly rule', () => {
  it('flags a protected address in the display name of an outside address (the tag-level case)', async () => {
    const bank = { body: { phishing: { brands: ['bank.test'] } } };
    expect(await ruleSymbols(fromAnomaly, mail('"ceo@bank.test" <x@evil.test>'), bank)).toEqual([['FROM_NAME_PROTECTED_ADDRESS', 'display name shows ceo@bank.test, address is x@evil.test']]);
    expect(await ruleSymbols(fromAnomaly, mail('"ceo@acme.test" <x@evil.test>'))).toEqual([['FROM_NAME_PROTECTED_ADDRESS', 'display name shows ceo@acme.test, address is x@evil.test']]);
    expect(await ruleSymbols(fromAnomaly, mail('"service@paypal.com" <x@evil.test>'))).toEqual([['FROM_NAME_PROTECTED_ADDRESS', 'display name shows service@paypal.com, address is x@evil.test']]);
  });

  it('flags another domain in the display name, and several mailboxes', async () => {
    expect(await ruleSymbols(fromAnomaly, mail('"ann@other.test" <x@evil.test>'))).toEqual([['FROM_NAME_HAS_ADDRESS', 'display name shows ann@other.test, address is x@evil.test']]);
    expect(await ruleSymbols(fromAnomaly, mail('a@one.test, "Smith, B" <b@two.test>'))).toEqual([['FROM_MULTIPLE_ADDRESSES', '2 mailboxes in From']]);
  });

  it('leaves ordinary senders and their own address in the name alone', async () => {
    expect(await ruleSymbols(fromAnomaly, mail('"ann@mail.sender.test" <ann@sender.test>'))).toEqual([]);
    expect(await ruleSymbols(fromAnomaly, mail('"Smith, Ann" <ann@sender.test>'))).toEqual([]);
    expect(await ruleSymbols(fromAnomaly, mail('ann@sender.test'))).toEqual([]);
  });
});
