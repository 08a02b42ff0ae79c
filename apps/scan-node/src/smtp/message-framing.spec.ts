import { describe, expect, it } from 'vitest';
import { framingProblem } from './message-framing.js';

describe('framingProblem', () => {
  it('accepts a CRLF message', () => {
    expect(framingProblem(Buffer.from('Subject: ok\r\n\r\nline\r\n'))).toBeUndefined();
  });

  it('names empty messages, NUL bytes and bare LF line ends', () => {
    expect(framingProblem(Buffer.alloc(0))?.symbol).toBe('SMTP_EMPTY_MESSAGE');
    expect(framingProblem(Buffer.from('Subject: a\r\n\r\nx\0y\r\n'))?.symbol).toBe('SMTP_NUL_BYTES');
    expect(framingProblem(Buffer.from('Subject: a\r\n\r\nfirst\n.\nsecond\r\n'))?.symbol).toBe('SMTP_BARE_LF');
    expect(framingProblem(Buffer.from('\nSubject: a\r\n'))?.symbol).toBe('SMTP_BARE_LF');
  });
});
