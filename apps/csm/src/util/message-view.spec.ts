import { describe, expect, it } from 'vitest';
import { messageView } from './message-view.js';

describe('messageView', () => {
  it('gives the parts as text, the HTML as a string, and the attachments by name', async () => {
    const raw = Buffer.from(
      'From: "Ann" <ann@remote.test>\r\nTo: bob@example.test, Team: c@example.test;\r\nSubject: =?UTF-8?B?w6l0w6k=?=\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
        '--b\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\nhello\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>hello<script>alert(1)</script><img src="http://x.test/t.png"></p>\r\n--a--\r\n' +
        '--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n',
    );
    const view = await messageView(raw);
    expect(view).toMatchObject({ subject: 'été', from: 'Ann <ann@remote.test>', to: 'bob@example.test, c@example.test', text: 'hello', attachments: [{ name: 'a.pdf', type: 'application/pdf', size: 8 }] });
    expect(view.date).toBe('2026-12-07T10:00:00.000Z');
    expect(view.html).toContain('<script>');
  });

  it('refuses a message nested past its limits with the reason', async () => {
    const depth = 60;
    const open = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('');
    await expect(messageView(Buffer.from(`Subject: deep\r\n${open}Content-Type: text/plain\r\n\r\nx\r\n`))).rejects.toThrow(/nesting|depth/i);
  });
});
