import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { brandImpersonation } from './brand-impersonation.js';

const mail = (from: string, subject: string) => `From: ${from}\r\nSubject: ${subject}\r\n\r\nbody\r\n`;

describe('brand_impersonation rule', () => {
  it('flags a brand in the display name or subject from an unrelated domain', async () => {
    expect(await ruleSymbols(brandImpersonation, mail('"PayPal Service" <service@secure-pay.test>', 'Notice'))).toEqual([['PHISH_BRAND_DISPLAY_NAME', '"PayPal" in the display name, sent from secure-pay.test']]);
    expect(await ruleSymbols(brandImpersonation, mail('help@mailer.test', 'Your Microsoft account is locked'))).toEqual([['PHISH_BRAND_SUBJECT', '"Microsoft" in the subject, sent from mailer.test']]);
    expect(await ruleSymbols(brandImpersonation, mail('=?utf-8?B?64Sk7J2067KE7JeQ7ISc?= <a@mailer.test>', 'x'))).toEqual([['PHISH_BRAND_DISPLAY_NAME', '"네이버" in the display name, sent from mailer.test']]);
  });

  it("leaves the brand's own domains, other words and the policy's brands' domains alone", async () => {
    expect(await ruleSymbols(brandImpersonation, mail('PayPal <service@paypal.com>', 'Your receipt'))).toEqual([]);
    expect(await ruleSymbols(brandImpersonation, mail('Shop <a@shop.test>', 'Your purchase is on its way'))).toEqual([]);
    expect(await ruleSymbols(brandImpersonation, mail('Acme Pay <a@acmepay.test>', 'x'), { body: { rules: { brands: { 'Acme Pay': ['acmepay.test'] } } } })).toEqual([]);
    expect(await ruleSymbols(brandImpersonation, mail('Acme Pay <a@evil.test>', 'x'), { body: { rules: { brands: { 'Acme Pay': ['acmepay.test'] } } } })).toEqual([['PHISH_BRAND_DISPLAY_NAME', '"Acme Pay" in the display name, sent from evil.test']]);
  });
});
