import { describe, expect, it } from 'vitest';
import { parseMessage } from './mime.js';
import { isUntrustedHeader, stripBodyMarkup, stripSubjectTags } from './untrusted.js';

describe('untrusted verdict headers', () => {
  it('flags other filters\' verdicts and mail-store artefacts', () => {
    for (const name of [
      'x-spam-status',
      'x-spam-flag',
      'x-spam-level',
      'x-spam-report',
      'x-virus-scanned',
      'x-virus-status',
      'authentication-results',
      'arc-authentication-results',
      'received-spf',
      'x-microsoft-antispam',
      'x-forefront-antispam-report',
      'x-mailscanner-spamcheck',
      'x-barracuda-spam-score',
      'x-ms-exchange-organization-scl',
      'x-moat-verdict',
      'x-keywords',
      'x-status',
      'status',
    ]) {
      expect(isUntrustedHeader(name), name).toBe(true);
    }
    for (const name of ['subject', 'from', 'content-type', 'x-mailer', 'list-id', 'message-id']) expect(isUntrustedHeader(name), name).toBe(false);
  });

  it('removes them before parsing goes on and counts them', () => {
    const msg = parseMessage(Buffer.from('From: a@b.example\nX-Spam-Status: Yes\nX-Spam-Flag: YES\nSubject: hi\nX-Virus-Scanned: ok\n\nbody'));
    expect(msg.headers.map((h) => h.name)).toEqual(['from', 'subject']);
    expect(msg.strippedVerdicts).toBe(3);
  });

  it('drops a SpamAssassin report_safe wrapper and keeps the original message inside it', () => {
    const raw = [
      'From: spammer@x.example',
      'Subject: *****SPAM***** cheap pills',
      'Content-Type: multipart/mixed; boundary="----------=_3D"',
      '',
      '------------=_3D',
      'Content-Type: text/plain',
      '',
      'Spam detection software, running on the system "mx", has identified this incoming email as possible spam.',
      'Content analysis details:   (8.3 points, 5.0 required)',
      ' pts rule name              description',
      '------------=_3D',
      'Content-Type: message/rfc822; x-spam-type=original',
      '',
      'Subject: cheap pills',
      '',
      'order pills online',
      '------------=_3D--',
      '',
    ].join('\n');
    const msg = parseMessage(Buffer.from(raw));
    expect(msg.texts.join(' ')).not.toMatch(/Content analysis|identified this incoming/);
    expect(msg.texts.join(' ')).toContain('order pills online');
    expect(msg.innerSubjects).toEqual(['cheap pills']);
    expect(msg.strippedVerdicts).toBe(1);
  });

  it('removes SpamAssassin 2.x result blocks from a body, and start lines with no end line after them stay', () => {
    const block = ['SPAM: -------------------- Start SpamAssassin results ----------------------', 'SPAM: This mail is probably spam.', 'SPAM: -------------------- End of SpamAssassin results ---------------------'].join('\n');
    expect(stripBodyMarkup(`Hello\n${block}\nBuy now\n${block}\nbye`)).toBe('Hello\n\nBuy now\n\nbye');
    const junk = 'SPAM: ---- Start SpamAssassin results\n'.repeat(6_600);
    expect(stripBodyMarkup(junk)).toBe(junk);
    expect(stripBodyMarkup(`Hello\n${block}\n${junk}`)).toBe(`Hello\n\n${junk}`);
  });

  it('strips the subject tags filters prepend, and only those', () => {
    expect(stripSubjectTags('*****SPAM***** Win now')).toBe('Win now');
    expect(stripSubjectTags('[SPAM] [spam] Win now')).toBe('Win now');
    expect(stripSubjectTags('{Spam?} Win now')).toBe('Win now');
    expect(stripSubjectTags('SPAM: Win now')).toBe('Win now');
    expect(stripSubjectTags('Re: moving SPAM: results to the bottom')).toBe('Re: moving SPAM: results to the bottom');
    expect(stripSubjectTags('( spam ? ) Win now')).toBe('Win now');
    // "\s*\??\s*" split a run of spaces n ways when no bracket closed it.
    const open = '[spam' + ' '.repeat(100_000);
    const t0 = performance.now();
    expect(stripSubjectTags(open)).toBe(open);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
