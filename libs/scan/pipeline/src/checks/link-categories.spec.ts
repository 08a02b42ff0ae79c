import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { linkCategories } from './link-categories.js';

const mail = (body: string) => `From: a@sender.test\r\nSubject: s\r\n\r\n${body}\r\n`;

describe('link_categories rule', () => {
  it('names each category of phishing-friendly hosting once', async () => {
    const body = 'https://bit.ly/x https://login-verify.web.app/ https://www.dropbox.com/s/a https://forms.gle/abc https://cloudflare-ipfs.test/ipfs/bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
    expect(await ruleSymbols(linkCategories, mail(body))).toEqual([
      ['URL_SHORTENER', 'bit.ly'],
      ['URL_FREE_HOSTING', 'login-verify.web.app'],
      ['URL_FILE_SHARING', 'www.dropbox.com'],
      ['URL_FORM_BUILDER', 'forms.gle'],
      ['URL_IPFS', 'cloudflare-ipfs.test'],
    ]);
  });

  it('leaves other links alone', async () => {
    expect(await ruleSymbols(linkCategories, mail('https://www.example.com/ https://notbit.ly.example.com/'))).toEqual([]);
  });
});
