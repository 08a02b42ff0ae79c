import { describe, expect, it } from 'vitest';
import { registrableDomain, urlHost } from './domains.js';
import { unwrapRedirects } from './redirectors.js';
import { urlDomains } from './url-domains.js';

const redirectors = ['google.com', 'safelinks.protection.outlook.com'];

describe('redirector unwrapping', () => {
  it('follows the target in a query parameter, nested', () => {
    const inner = 'https://evil.test/login';
    const safelink = `https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(inner)}&data=x`;
    const google = `https://www.google.com/url?sa=t&q=${encodeURIComponent(safelink)}`;
    expect(unwrapRedirects(google, redirectors)).toEqual([google, safelink, inner]);
  });

  it('follows a target in the path and leaves other URLs alone', () => {
    expect(unwrapRedirects('https://google.com/https://evil.test/x', redirectors)).toEqual(['https://google.com/https://evil.test/x', 'https://evil.test/x']);
    expect(unwrapRedirects('https://shop.test/?next=https://evil.test', redirectors)).toEqual(['https://shop.test/?next=https://evil.test']);
  });
});

describe('URL domains', () => {
  it('gives registrable domains in A-label form, redirect targets included', () => {
    const urls = ['https://www.google.com/url?q=https://login.evil.co.kr/x', 'http://bücher.example.com/', 'https://a.b.shop.test/'];
    expect(urlDomains(urls, redirectors, 10)).toEqual(['google.com', 'evil.co.kr', 'example.com', 'shop.test']);
    expect(urlHost('https://bücher.example.com/')).toBe('xn--bcher-kva.example.com');
    expect(registrableDomain('xn--bcher-kva.de')).toBe('xn--bcher-kva.de');
    expect(registrableDomain('co.kr')).toBeUndefined();
    expect(registrableDomain('192.0.2.1')).toBeUndefined();
  });
});
