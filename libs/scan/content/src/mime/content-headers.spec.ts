import { describe, expect, it } from 'vitest';
import { readContentHeaders } from './content-headers.js';
import type { HeaderBlock } from './header-block.js';

const block = (contentType: string): HeaderBlock => ({ fields: [{ name: 'content-type', value: contentType }], bodyStart: 0, bareEol: false });

describe('content headers', () => {
  it('reads the boundary and notices one given twice', () => {
    expect(readContentHeaders(block('multipart/mixed; boundary="a"'), 'text/plain')).toMatchObject({ type: 'multipart/mixed', boundary: 'a', duplicateBoundary: false });
    expect(readContentHeaders(block('multipart/mixed; boundary="a"; BOUNDARY * = b'), 'text/plain').duplicateBoundary).toBe(true);
  });

  it('reads a value with a long run of spaces after "boundary" in one pass', () => {
    const spaces = ' '.repeat(60_000);
    expect(readContentHeaders(block(`multipart/mixed; boundary${spaces}x; boundary="a"`), 'text/plain').duplicateBoundary).toBe(false);
    expect(readContentHeaders(block(`multipart/mixed; boundary${spaces}*${spaces}=b; boundary="a"`), 'text/plain').duplicateBoundary).toBe(true);
  });
});
