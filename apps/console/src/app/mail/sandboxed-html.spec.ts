import { describe, expect, it } from 'vitest';
import { MESSAGE_HTML_CSP, sandboxedDocument } from './sandboxed-html';

describe('sandboxedDocument', () => {
  it('puts a CSP that fetches nothing and runs no script before the message', () => {
    const doc = sandboxedDocument('<script>alert(1)</script><img src="https://tracker.test/p.gif">');
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<script>'));
    expect(MESSAGE_HTML_CSP).toContain("default-src 'none'");
    expect(MESSAGE_HTML_CSP).not.toContain('script-src');
    expect(MESSAGE_HTML_CSP).toContain('img-src data:');
  });
});
