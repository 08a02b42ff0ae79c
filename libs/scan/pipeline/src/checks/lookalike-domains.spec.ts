import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { lookalikeDomains } from './lookalike-domains.js';

const policy = compilePolicy(
  parsePolicy({ domains: [{ name: 'acme-corp.co.kr', downstream: { host: '127.0.0.1' } }], body: { phishing: { brands: ['paypal.com', 'naver.com', 'microsoft.com'] } } }),
  0,
);
const scan = (from: string, body = 'hello', mailFrom?: string) => {
  const session = new Pipeline([lookalikeDomains]).session(policy, { clientIp: '' });
  if (mailFrom) session.envelope.mailFrom = mailFrom;
  return session.data(Buffer.from(`From: ${from}\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`));
};
const details = async (from: string, body?: string) => (await scan(from, body)).symbols.map((s) => `${s.name} ${s.score}: ${s.detail}`);

describe('lookalike_domains check', () => {
  it('flags homoglyph domains, in Unicode and punycode', async () => {
    expect(await details('PayPal <service@pаypal.com>')).toEqual(['PHISH_LOOKALIKE_DOMAIN 5: From pаypal.com imitates paypal.com (homoglyphs, punycode)']);
    expect(await details('service@paypa1.com')).toEqual(['PHISH_LOOKALIKE_DOMAIN 5: From paypa1.com imitates paypal.com (homoglyphs)']);
    expect(await details('x@rnicrosoft.com')).toEqual(['PHISH_LOOKALIKE_DOMAIN 5: From rnicrosoft.com imitates microsoft.com (homoglyphs)']);
  });

  it("flags one-typo lookalikes of the tenant's own domain and of link domains", async () => {
    expect(await details('ceo@acme-crop.co.kr')).toEqual(['PHISH_LOOKALIKE_DOMAIN 5: From acme-crop.co.kr imitates acme-corp.co.kr (spelling)']);
    expect(await details('a@b.test', '네이버 로그인: https://navor.com/login')).toEqual(['PHISH_LOOKALIKE_DOMAIN 5: link navor.com imitates naver.com (spelling)']);
  });

  it('leaves the real domains, their subdomains, other suffixes and unlike domains alone', async () => {
    for (const from of ['a@paypal.com', 'a@mail.naver.com', 'a@acme-corp.co.kr', 'a@paypal.de', 'a@kakao.com', 'a@apple.com']) expect(await details(from)).toEqual([]);
  });
});
