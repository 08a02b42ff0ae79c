import { describe, expect, it } from 'vitest';
import type { SpoolMeta } from '../spool/spool.js';
import { buildDsn, headerBlock } from './dsn.js';

const original: SpoolMeta = { id: '01JEXAMPLE0000000000000000', receivedAtMs: Date.UTC(2026, 0, 2), mailFrom: 'alice@example.test', rcptTo: ['a@remote.test', 'b@remote.test'], clientIp: '192.0.2.1', helo: 'client', action: 'deliver', score: 0, policyVersion: 3 };
const message = Buffer.from('From: alice@example.test\r\nSubject: quarterly report\r\n\r\nsecret body text\r\n');

describe('DSN', () => {
  it('is an RFC 3464 multipart/report with one block per failed recipient and the original header fields only', () => {
    const dsn = buildDsn({
      nodeName: 'node-1',
      original,
      failed: [
        { rcpt: 'a@remote.test', response: '550 5.1.1 no such user', remoteMta: 'mx.remote.test:25' },
        { rcpt: 'b@remote.test', response: 'expired: not delivered within 432000 s; last error: 451 4.3.0 try later', remoteMta: '' },
      ],
      originalHeaders: headerBlock(message),
      now: Date.UTC(2026, 0, 3),
    }).toString('latin1');
    expect(dsn).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status; boundary="(moat-dsn-[0-9a-f]+)"$/m);
    expect(dsn).toContain('To: <alice@example.test>\r\n');
    expect(dsn).toContain('Auto-Submitted: auto-replied\r\n');
    expect(dsn).toContain('Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; node-1\r\n');
    expect(dsn).toContain('Final-Recipient: rfc822; a@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.remote.test:25\r\nDiagnostic-Code: smtp; 550 5.1.1 no such user');
    expect(dsn).toContain('Final-Recipient: rfc822; b@remote.test\r\nAction: failed\r\nStatus: 5.0.0\r\nDiagnostic-Code: smtp; expired');
    expect(dsn).toContain('Content-Type: text/rfc822-headers\r\n\r\nFrom: alice@example.test\r\nSubject: quarterly report\r\n');
    expect(dsn).not.toContain('secret body text');
    expect(dsn.trimEnd()).toMatch(/--moat-dsn-[0-9a-f]+--$/);
  });

  it('keeps a hostile reply on one header line', () => {
    const dsn = buildDsn({ nodeName: 'node-1', original, failed: [{ rcpt: 'a@remote.test', response: '550 bad\r\nBcc: victim@x.test', remoteMta: '' }], originalHeaders: headerBlock(message) }).toString('latin1');
    expect(dsn).not.toMatch(/^Bcc:/m);
  });

  it('tells the sender a message is held for an approver (Action: delayed, 4.x.x)', () => {
    const dsn = buildDsn({ nodeName: 'node-1', original, failed: [{ rcpt: 'a@remote.test', response: '451 4.7.1 held for an approver', remoteMta: '' }], originalHeaders: headerBlock(message), kind: 'held' }).toString('latin1');
    expect(dsn).toContain('Subject: Message held for approval\r\n');
    expect(dsn).toContain('Your message is held for an approver');
    expect(dsn).toContain('Final-Recipient: rfc822; a@remote.test\r\nAction: delayed\r\nStatus: 4.7.1\r\nDiagnostic-Code: smtp; 451 4.7.1 held for an approver');
  });
});
