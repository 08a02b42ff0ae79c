import { describe, expect, it } from 'vitest';
import { contentFramingProblem, framingProblem, withBareCrNormalised } from './framing.js';

// The bytes of issue 15 finding 1: a dot between bare CRs, which some servers read as the end of data.
const CR_DOT_CR = 'From: x@conf.test\r\nTo: alice@example.test\r\nSubject: t\r\n\r\nSTART\r\n\r.\r\r\nEND\r\n';

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

  it('judges files by content only: empty and NUL, whatever their line ends', () => {
    expect(contentFramingProblem(Buffer.from('Subject: a\n\nx\0y\n'))?.symbol).toBe('SMTP_NUL_BYTES');
    expect(contentFramingProblem(Buffer.alloc(0))?.symbol).toBe('SMTP_EMPTY_MESSAGE');
    expect(contentFramingProblem(Buffer.from('Subject: a\n\nLF file\n'))).toBeUndefined();
  });

  it('refuses bare CRs by default, wherever they are, and leaves them to normalising when the policy says so', () => {
    expect(framingProblem(Buffer.from(CR_DOT_CR))?.symbol).toBe('SMTP_BARE_CR');
    expect(framingProblem(Buffer.from('Subject: a\r\n\r\nend\r'))?.symbol).toBe('SMTP_BARE_CR');
    expect(framingProblem(Buffer.from('\rSubject: a\r\n'))?.symbol).toBe('SMTP_BARE_CR');
    expect(framingProblem(Buffer.from(CR_DOT_CR), 'normalise')).toBeUndefined();
    // Normalising never hides a bare LF or a NUL.
    expect(framingProblem(Buffer.from('a\rb\nc\r\n'), 'normalise')?.symbol).toBe('SMTP_BARE_LF');
  });
});

describe('withBareCrNormalised', () => {
  it('makes every bare CR a CRLF and keeps CRLFs as they are', () => {
    const out = withBareCrNormalised(Buffer.from(CR_DOT_CR));
    expect(out.toString()).toBe('From: x@conf.test\r\nTo: alice@example.test\r\nSubject: t\r\n\r\nSTART\r\n\r\n.\r\n\r\nEND\r\n');
    expect(out.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(withBareCrNormalised(Buffer.from('\r\r\rx\r')).toString()).toBe('\r\n\r\n\r\nx\r\n');
    expect(framingProblem(out)).toBeUndefined();
  });

  it('returns a message without bare CRs as it is', () => {
    const raw = Buffer.from('Subject: a\r\n\r\nb\r\n');
    expect(withBareCrNormalised(raw)).toBe(raw);
  });
});
