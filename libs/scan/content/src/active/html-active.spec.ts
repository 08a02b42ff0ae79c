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

  it('leaves ordinary HTML alone', () => {
    expect(analyze('<p>Hello <img src="cid:logo"></p>')).toEqual({ issues: [], embedded: [] });
  });
});
