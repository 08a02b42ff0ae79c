import { describe, expect, it } from 'vitest';
import { headersOnly, parseMessage } from './parse-message.js';
import { readMessage } from './read-message.js';

const PDF = Buffer.from('%PDF-1.4\n% test attachment\n');

const message = (...lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

describe('readMessage', () => {
  it('reads text, headers and attachments from the same walk as the inspection, with true types', async () => {
    const raw = message(
      'Subject: invoice',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'see attached',
      '--b',
      'Content-Type: application/octet-stream; name=invoice.pdf',
      'Content-Transfer-Encoding: base64',
      '',
      PDF.toString('base64'),
      '--b--',
      '',
    );
    const { message: read, report } = await readMessage(raw, {});
    expect(read?.text).toBe('see attached');
    expect(read?.attachments).toEqual([{ name: 'invoice.pdf', declaredType: 'application/octet-stream', detectedType: 'application/pdf', size: PDF.length, sha256: report.files[1]?.sha256 }]);
    expect(report.files.map((f) => f.path)).toEqual(['1', '2']);
  });
});

describe('parseMessage', () => {
  it('decodes bodies in their declared charset and leaves text attachments out of the text', () => {
    const raw = message(
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain; charset=iso-8859-1',
      '',
      'caf\xe9',
      '--b',
      'Content-Type: text/plain; charset=euc-kr',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from([0xbe, 0xc8, 0xb3, 0xe7]).toString('base64'),
      '--b',
      'Content-Type: text/plain',
      'Content-Disposition: attachment; filename=notes.txt',
      '',
      'not the body',
      '--b--',
      '',
    );
    const parsed = parseMessage(raw);
    expect(parsed.text).toBe('café\n\n안녕');
    expect(parsed.attachments.map((a) => a.name)).toEqual(['notes.txt']);
  });

  it('keeps only the headers of a message whose content could not be read, and says why', () => {
    const read = headersOnly(message('Subject: =?UTF-8?Q?caf=C3=A9?=', 'From: a@b.test', '', 'body'), 'stopped');
    expect(read.headers.subject).toBe('café');
    expect(read.headerFields.map((f) => f.name)).toEqual(['subject', 'from']);
    expect(read.text).toBe('');
    expect(read.error).toBe('stopped');
  });
});
