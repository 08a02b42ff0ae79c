import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { linkMismatch } from './link-mismatch.js';

const policy = compilePolicy(parsePolicy({}), 0);
const scan = (html: string, from = 'a@b.test', withPolicy = policy) =>
  new Pipeline([linkMismatch])
    .session(withPolicy, { clientIp: '' })
    .data(Buffer.from(`From: ${from}\r\nSubject: s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`));

describe('link_mismatch check', () => {
  it('flags link text showing one domain while the href goes to another', async () => {
    const verdict = await scan('<p>Sign in at <a href="https://secure-login.evil.test/paypal">https://www.paypal.com/signin</a></p>');
    expect(verdict.symbols.map((s) => [s.name, s.score, s.detail])).toEqual([['PHISH_LINK_MISMATCH', 3, 'shows paypal.com, goes to evil.test']]);
  });

  it('flags Korean link text showing a bank domain, and follows redirectors to their target', async () => {
    const href = `https://www.google.com/url?q=${encodeURIComponent('https://kbstar-login.evil.test/')}`;
    const verdict = await scan(`<a href="${href}">국민은행 www.kbstar.com 바로가기</a>`);
    expect(verdict.symbols[0]?.detail).toBe('shows kbstar.com, goes to kbstar-login.evil.test'.replace('kbstar-login.evil.test', 'evil.test'));
  });

  it('leaves matching domains, plain link text and click trackers alone', async () => {
    const html = [
      '<a href="https://login.paypal.com/x">www.paypal.com</a>',
      '<a href="https://evil.test/">Click here</a>',
      '<a href="https://www.google.com/url?q=https%3A%2F%2Fwww.naver.com%2F">naver.com</a>',
      '<a href="https://u123.ct.sendgrid.net/ls/click?x=1">www.shop.test</a>',
      '<a href="mailto:x@paypal.com">paypal.com</a>',
    ].join(' ');
    expect((await scan(html)).symbols).toEqual([]);
  });

  it('takes a site name inside prose for a brand, not an address, and still flags a bare domain as the whole text', async () => {
    const newsletter = ['<a href="http://clickthru.online.test/Click?q=fd">News.com: Top CIOs</a>', '<a href="http://books.wrox.test/asp">ASP.NET tips</a>'].join(' ');
    expect((await scan(newsletter)).symbols).toEqual([]);
    const bare = await scan('<a href="https://evil.test/x">paypal.com/signin</a>');
    expect(bare.symbols[0]?.detail).toBe('shows paypal.com, goes to evil.test');
  });

  it('leaves links into the From domain alone, unless the text shows a protected brand', async () => {
    const newsletter = '<a href="http://clickthru.online.com/Click?q=39">www.canonresellers.com</a>';
    expect((await scan(newsletter, 'CNET Delivers <Online#3.20341@newsletter.online.com>')).symbols).toEqual([]);
    expect((await scan(newsletter, 'news@elsewhere.com')).symbols[0]?.detail).toBe('shows canonresellers.com, goes to online.com');

    const phish = '<a href="https://login.paypa1-secure.com/">www.paypal.com</a>';
    expect((await scan(phish, '"PayPal" <service@paypa1-secure.com>')).symbols).toEqual([]);
    const withBrand = compilePolicy(parsePolicy({ body: { phishing: { brands: ['paypal.com'] } } }), 0);
    const flagged = await scan(phish, '"PayPal" <service@paypa1-secure.com>', withBrand);
    expect(flagged.symbols[0]?.detail).toBe('shows paypal.com, goes to paypa1-secure.com');
  });

  it('does not take text without a real public suffix for an address', async () => {
    const html = '<a href="http://www.exhibitionsindia.org">www.exhibitionsindia.o rg</a> <a href="http://www.all-life-ins.com/stop.htm">http://www.all-life/stopit</a>';
    expect((await scan(html)).symbols).toEqual([]);
  });
});
