import { describe, expect, it } from 'vitest';
import { parseTagList, TagListError } from '../tag-list.js';
import { checkSignatureTags } from './signature-tags.js';

const NOW = 1_700_000_000;
const signature = (changes: Record<string, string | undefined> = {}) => {
  const tags: Record<string, string | undefined> = { v: '1', a: 'rsa-sha256', c: 'relaxed/relaxed', d: 'bank.test', s: 'sel', h: 'from:to:subject', bh: 'aGFzaA==', b: 'c2ln', ...changes };
  return new Map(Object.entries(tags).filter((entry): entry is [string, string] => entry[1] !== undefined));
};

describe('DKIM-Signature tags (RFC 6376 sections 3.5 and 6.1.1)', () => {
  it('accepts a well-formed signature and defaults i= to @d=', () => {
    expect(checkSignatureTags(signature(), NOW)).toEqual({ domain: 'bank.test', selector: 'sel', identity: '@bank.test', algorithm: 'rsa-sha256' });
    expect(checkSignatureTags(signature({ s: 'k1.mail', i: 'ceo=40bank.test@mail.bank.test' }), NOW)).toMatchObject({ identity: 'ceo@bank.test@mail.bank.test' });
  });

  it.each([
    ['an underscore', { d: 'bank_test.example' }, 'd= is not a domain name'],
    ['an empty label', { d: 'bank..test' }, 'd= is not a domain name'],
    ['a single label', { d: 'test' }, 'd= is not a domain name'],
    ['a trailing hyphen label', { d: 'bank-.test' }, 'd= is not a domain name'],
    ['a selector with an underscore', { s: 'sel_1' }, 's= is not a selector'],
    ['a selector with a slash', { s: 'sel/../x' }, 's= is not a selector'],
  ])('refuses d= or s= with %s (PERMFAIL, never looked up)', (_what, changes, reason) => {
    expect(checkSignatureTags(signature(changes), NOW)).toBe(reason);
  });

  it('refuses a NUL inside d= or s= already in the tag list, and a space by the name grammar', () => {
    for (const value of ['d=evil.test\0.bank.test', 's=sel\0x']) {
      expect(() => parseTagList(`v=1; a=rsa-sha256; ${value}; h=from; bh=x; b=y`)).toThrow(TagListError);
    }
    expect(checkSignatureTags(parseTagList('v=1; a=rsa-sha256; d=bank test; s=sel; h=from; bh=x; b=y'), NOW)).toBe('d= is not a domain name');
  });

  it.each([
    ['no From in h=', { h: 'to:subject' }, 'h= does not cover From'],
    ['i= outside d=', { i: '@bank.test.evil.test' }, 'i=@bank.test.evil.test is not within d=bank.test'],
    ['an expired signature', { t: String(NOW - 100), x: String(NOW - 10) }, 'signature expired'],
    ['an unknown algorithm', { a: 'rsa-md5' }, 'unsupported algorithm a=rsa-md5'],
    ['a missing b=', { b: undefined }, 'missing b= tag'],
    ['a draft version', { v: undefined }, 'missing v= tag'],
  ])('refuses %s', (_what, changes, reason) => {
    expect(checkSignatureTags(signature(changes), NOW)).toBe(reason);
  });
});
