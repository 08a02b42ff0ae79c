import { describe, expect, it } from 'vitest';
import { readHtml } from './html.js';

describe('readHtml', () => {
  it('gives the visible text and each link with its text', () => {
    const view = readHtml('<html><head><title>T</title><style>p{}</style></head><body><p>Hello&nbsp;&amp; welcome</p><a href="https://x.test/a?b=1&amp;c=2">Go <b>there</b></a><script>var a = "<a href=x>";</script></body></html>');
    expect(view.text).toBe('Hello & welcome Go there');
    expect(view.anchors).toEqual([{ href: 'https://x.test/a?b=1&c=2', text: 'Go there' }]);
  });

  it('keeps an unclosed link and reads single-quoted and bare hrefs', () => {
    expect(readHtml("<a href='https://a.test'>one</a><a href=https://b.test>two").anchors).toEqual([
      { href: 'https://a.test', text: 'one' },
      { href: 'https://b.test', text: 'two' },
    ]);
  });

  it('stays linear on markup made of stray brackets', () => {
    const started = performance.now();
    readHtml('<a'.repeat(200_000) + '<!--'.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reads a tag name that never ends in one pass', () => {
    const t0 = performance.now();
    expect(readHtml(`<p>a</p><a${'b'.repeat(100_000)}`).text).toContain('a');
    expect(readHtml('<a2 href="https://x.test">y</a2><a href="https://z.test">w</a>').anchors).toEqual([{ href: 'https://z.test', text: 'w' }]);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
