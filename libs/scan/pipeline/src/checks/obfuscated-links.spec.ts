import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { obfuscatedLinks } from './obfuscated-links.js';

const mail = (body: string) => `From: a@sender.test\r\nSubject: s\r\n\r\n${body}\r\n`;

describe('obfuscated_links rule', () => {
  it('flags IP hosts, userinfo, encoded and numeric hosts, mixed scripts and deep subdomains', async () => {
    expect(await ruleSymbols(obfuscatedLinks, mail('http://192.0.2.7/login'))).toEqual([['URL_IP_HOST', '192.0.2.7']]);
    expect(await ruleSymbols(obfuscatedLinks, mail('http://www.paypal.com@evil.test/'))).toEqual([['URL_USERINFO', 'www.paypal.com@evil.test']]);
    expect(await ruleSymbols(obfuscatedLinks, mail('http://3221225991/ http://ev%69l.test/'))).toEqual([['URL_ENCODED_HOST', '3221225991']]);
    expect(await ruleSymbols(obfuscatedLinks, mail('https://pаypal.com/'))).toEqual([['URL_PUNYCODE', 'pаypal.com (xn--pypal-4ve.com)']]);
    expect(await ruleSymbols(obfuscatedLinks, mail('https://paypal.com.login.secure.account.evil.test/'))).toEqual([['URL_MANY_SUBDOMAINS', 'paypal.com.login.secure.account.evil.test']]);
  });

  it('leaves ordinary links and Korean IDNs alone', async () => {
    expect(await ruleSymbols(obfuscatedLinks, mail('https://www.example.com/a?b=c https://mail.google.com/ http://한국.kr/'))).toEqual([]);
  });
});
