import { describe, expect, it } from 'vitest';
import { htmlActiveContent } from './html-active.js';

const html = { mime: 'text/html', ext: 'html', kind: 'html' } as const;
const analyze = (text: string) => htmlActiveContent.analyze(Buffer.from(text), html, 1 << 20);

describe('HTML smuggling', () => {
  it('flags a script that builds a Blob and offers it as a download', () => {
    const page = '<script>const b = new Blob([atob(p)], {type: "application/zip"}); a.href = URL.createObjectURL(b); a.download = "x.zip"; a.click();</script>';
    expect(analyze(page).issues.map((i) => i.symbol)).toEqual(['HTML_SMUGGLING']);
  });

  it('flags a download link to a data: URI and returns its content for scanning', () => {
    const payload = Buffer.alloc(64, 1).toString('base64');
    const result = analyze(`<a download="a.exe" href="data:application/octet-stream;base64,${payload}">x</a>`);
    expect(result.issues.map((i) => i.symbol)).toEqual(['HTML_SMUGGLING']);
    expect(result.embedded[0]?.content).toEqual(Buffer.alloc(64, 1));
  });

  it('finds a download link to a data: URI whichever attribute comes first, and only within one tag', () => {
    expect(analyze('<A HREF=data:text/html,x DOWNLOAD>x</A>').issues.map((i) => i.symbol)).toEqual(['HTML_SMUGGLING']);
    expect(analyze('<a download>x</a> <a href="data:text/html,x">y</a>').issues).toEqual([]);
  });

  it('reads a page of tags that never close in one pass, and still finds the real link after it', () => {
    const junk = '<a '.repeat(40_000);
    expect(analyze(junk).issues).toEqual([]);
    expect(analyze('<a download '.repeat(10_000)).issues).toEqual([]);
    expect(analyze(`${'<a>'.repeat(40_000)}<a download="a.exe" href="data:application/octet-stream;base64,TVo=">x</a>`).issues.map((i) => i.symbol)).toEqual(['HTML_SMUGGLING']);
  });

  it('leaves ordinary HTML alone', () => {
    expect(analyze('<p>Hello <img src="cid:logo"></p>')).toEqual({ issues: [], embedded: [] });
  });
});
