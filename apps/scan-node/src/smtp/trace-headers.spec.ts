import { describe, expect, it } from 'vitest';
import { traceHeaders, withoutMoatHeaders } from './trace-headers.js';

describe('traceHeaders', () => {
  const facts = {
    id: '01M8GQ5D7257FNGQHBCZ60TGSY',
    nodeName: 'node-1',
    clientIp: '192.0.2.1',
    helo: 'mx.remote.test',
    tls: true,
    score: 6.5,
    symbols: Array.from({ length: 12 }, (_, i) => ({ name: `SYMBOL_NUMBER_${i}`, score: 0.5, detail: 'x\r\ninjected: 1', stage: 'data' as const })),
    receivedAtMs: Date.UTC(2026, 10, 28, 9, 0, 0),
  };

  it('adds Received and a folded X-Moat-Verdict, and X-Moat-Spam for tag', () => {
    const text = traceHeaders({ ...facts, action: 'tag' }).toString();
    expect(text).toMatch(/^Received: from mx\.remote\.test \(unknown \[192\.0\.2\.1\]\)\r\n\tby node-1 \(Moat\) with ESMTPS id 01M8GQ5D7257FNGQHBCZ60TGSY;\r\n\tSat, 28 Nov 2026 09:00:00 \+0000\r\n/);
    expect(text).toContain('X-Moat-Verdict: tag; score=6.50; id=01M8GQ5D7257FNGQHBCZ60TGSY; node=node-1; symbols=\r\n\tSYMBOL_NUMBER_0(0.50) SYMBOL_NUMBER_1(0.50)');
    expect(text.endsWith('X-Moat-Spam: yes\r\n')).toBe(true);
    expect(text).not.toContain('injected');
    for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('omits X-Moat-Spam for delivered mail', () => {
    expect(traceHeaders({ ...facts, action: 'deliver' }).toString()).not.toContain('X-Moat-Spam');
  });

  it('adds only Received to mail leaving for outside recipients', () => {
    const text = traceHeaders({ ...facts, action: 'tag', leaving: true }).toString();
    expect(text).toMatch(/^Received: from mx\.remote\.test /);
    expect(text).not.toContain('X-Moat-');
  });
});

describe('withoutMoatHeaders', () => {
  it('drops X-Moat-* fields a sender forged, with their continuation lines, and keeps the body', () => {
    const raw = Buffer.from('Subject: hi\r\nX-Moat-Spam: no\r\nx-moat-verdict: deliver;\r\n\tscore=0\r\nFrom: a@b\r\n\r\nX-Moat-Spam: body text\r\n');
    expect(withoutMoatHeaders(raw).toString()).toBe('Subject: hi\r\nFrom: a@b\r\n\r\nX-Moat-Spam: body text\r\n');
  });

  it('returns the same buffer when there is nothing to drop', () => {
    const raw = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
    expect(withoutMoatHeaders(raw)).toBe(raw);
  });
});
