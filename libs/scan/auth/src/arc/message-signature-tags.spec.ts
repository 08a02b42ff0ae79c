import { describe, expect, it } from 'vitest';
import { instanceOf, messageSignatureProblem } from './message-signature-tags.js';

const ams = (h: string, extra = '') => `i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=dummy; h=${h}; bh=KWSe46TZ; b=ex6h${extra}`;

describe('ARC-Message-Signature tags (RFC 8617 section 4.1.2 with RFC 6376 sections 3.5, 5.4, 6.1.1)', () => {
  it('accepts an AMS that covers From, folded or with an empty name between colons', () => {
    expect(messageSignatureProblem(ams('from:to:subject'))).toBeUndefined();
    expect(messageSignatureProblem(ams('To :\r\n\tFrom'))).toBeUndefined();
    expect(messageSignatureProblem(ams('from:to::date'))).toBeUndefined();
  });

  it('refuses an AMS whose h= is empty or leaves From out', () => {
    expect(messageSignatureProblem(ams(''))).toBe('h= does not cover From');
    expect(messageSignatureProblem(ams('to:subject:date'))).toBe('h= does not cover From');
    expect(messageSignatureProblem(ams('from-x:to'))).toBe('h= does not cover From');
  });

  it('refuses a missing required tag, a broken tag list and names outside the grammar', () => {
    expect(messageSignatureProblem('i=1; a=rsa-sha256; d=example.org; s=dummy; h=from; b=x')).toBe('missing bh= tag');
    expect(messageSignatureProblem(`${ams('from')}; d=other.org`)).toBe('tag d appears twice');
    expect(messageSignatureProblem(ams('from').replace('d=example.org', 'd=exa\0mple.org'))).toMatch(/bad value|d= is not/);
    expect(messageSignatureProblem(ams('from').replace('s=dummy', 's=du_mmy'))).toBe('s= is not a selector');
  });

  it('reads the instance of a tag list', () => {
    expect(instanceOf(ams('from'))).toBe(1);
    expect(instanceOf('a=rsa-sha256;\r\n i = 12 ; d=x.test')).toBe(12);
    expect(instanceOf('a=rsa-sha256; ai=3')).toBeUndefined();
  });
});
