import { describe, expect, it } from 'vitest';
import { extractUrls, MAX_URLS } from './extract-urls.js';

describe('extractUrls', () => {
  it('finds http and https URLs once each, in order', () => {
    expect(extractUrls('go to HTTPS://Example.com/x. Or http://a.test!', '<a href="http://a.test">x</a>')).toEqual({ urls: ['HTTPS://Example.com/x', 'http://a.test'], truncated: false });
  });

  it('reads a URL with a long run of dots inside in one pass, and still drops the punctuation that ends one', () => {
    const dots = '.'.repeat(250_000);
    expect(extractUrls(`http://a.test/${dots}x http://b.test/${dots}`, '').urls.map((u) => u.slice(0, 16))).toEqual(['http://a.test/..', 'http://b.test/']);
  });

  it('ignores other schemes and bare words', () => {
    expect(extractUrls('mailto:a@b.test ftp://x.test javascript:alert(1) www.example.com', '').urls).toEqual([]);
  });

  it('keeps at most MAX_URLS and cuts overlong ones', () => {
    const many = Array.from({ length: MAX_URLS + 10 }, (_, i) => `http://h${i}.test/`).join(' ');
    expect(extractUrls(many, '')).toMatchObject({ truncated: true });
    expect(extractUrls(many, '').urls).toHaveLength(MAX_URLS);
    expect(extractUrls(`http://long.test/${'a'.repeat(5000)}`, '').urls[0]).toHaveLength(2048);
  });
});
