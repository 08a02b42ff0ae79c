import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIME_LIMITS } from '@moat/content';
import { parseMessage } from './parse-message.js';

const PDF = Buffer.from('%PDF-1.4\n% test attachment\n');

const MIXED = [
  'From: =?UTF-8?B?w4lsb2RpZQ==?= <elodie@sender.test>',
  'To: Bob <bob@example.test>, carol@example.test',
  'Reply-To: replies@sender.test',
  'Subject: =?ISO-8859-1?Q?caf=E9_menu?= and more',
  'Message-ID: <abc@sender.test>',
  'Date: not a real date',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'See https://example.com/a?x=1, and (http://foo.test/path).',
  '--b1',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<a href="https://click.test/r?a=1&amp;b=2">here</a> <img src="http://img.test/p.png">',
  '--b1',
  'Content-Type: application/octet-stream; name="=?UTF-8?Q?r=C3=A9sum=C3=A9.pdf?="',
  'Content-Disposition: attachment; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf',
  'Content-Transfer-Encoding: base64',
  '',
  PDF.toString('base64'),
  '--b1--',
  '',
].join('\r\n');

describe('parseMessage', () => {
  it('decodes the headers of interest, including RFC 2047 words', () => {
    const parsed = parseMessage(Buffer.from(MIXED));
    expect(parsed.headers).toEqual({
      subject: 'café menu and more',
      from: 'Élodie <elodie@sender.test>',
      to: 'Bob <bob@example.test>, carol@example.test',
      messageId: '<abc@sender.test>',
      date: 'not a real date',
      replyTo: 'replies@sender.test',
    });
    expect(parsed.error).toBeUndefined();
    expect(parsed.size).toBe(Buffer.byteLength(MIXED));
  });

  it('describes attachments with name, declared type, size and sha256', () => {
    const parsed = parseMessage(Buffer.from(MIXED));
    expect(parsed.attachments).toEqual([
      { name: 'résumé.pdf', declaredType: 'application/octet-stream', detectedType: '', size: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex') },
    ]);
  });

  it('collects URLs from text and HTML, trimmed and de-entitied', () => {
    const parsed = parseMessage(Buffer.from(MIXED));
    expect(parsed.urls).toEqual(['https://example.com/a?x=1', 'http://foo.test/path', 'https://click.test/r?a=1&b=2', 'http://img.test/p.png']);
    expect(parsed.text).toContain('See https://example.com');
    expect(parsed.html).toContain('<a href=');
  });

  it('never rejects: empty and binary input give an empty description', () => {
    for (const raw of [Buffer.alloc(0), Buffer.from([0, 1, 2, 255, 254, 10, 13, 0])]) {
      const parsed = parseMessage(raw);
      expect(parsed.headers.subject).toBe('');
      expect(parsed.attachments).toEqual([]);
    }
  });

  it('stops at the MIME part limit and says so', () => {
    const parts = Array.from({ length: DEFAULT_MIME_LIMITS.maxParts + 5 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const raw = Buffer.from(`Subject: bomb\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`);
    const parsed = parseMessage(raw);
    expect(parsed.error).toMatch(/more than 1000 MIME parts/);
    expect(parsed.headers.subject).toBe('bomb');
  });
});
