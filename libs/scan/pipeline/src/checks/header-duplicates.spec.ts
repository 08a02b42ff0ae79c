import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../compile-policy.js';
import { Pipeline } from '../pipeline.js';
import { headerDuplicates, HEADER_DUPLICATE_SCORE } from './header-duplicates.js';

const policy = compilePolicy(parsePolicy({}), 0);

async function scan(raw: string) {
  return new Pipeline([headerDuplicates]).session(policy, { clientIp: '' }).data(Buffer.from(raw));
}

describe('header_duplicates check', () => {
  it('ignores fields that may repeat', async () => {
    const verdict = await scan('Received: a\r\nReceived: b\r\nFrom: x@a.test\r\nSubject: s\r\nX-Tag: 1\r\nX-Tag: 2\r\n\r\nbody\r\n');
    expect(verdict.symbols).toEqual([]);
  });

  it('flags each single-occurrence field that repeats', async () => {
    const verdict = await scan('From: ceo@victim.test\r\nFrom: attacker@evil.test\r\nSubject: a\r\nsubject: b\r\nSUBJECT: c\r\n\r\nbody\r\n');
    expect(verdict.symbols.map((s) => [s.name, s.score, s.detail])).toEqual([
      ['HEADER_DUPLICATE', HEADER_DUPLICATE_SCORE, 'from appears 2 times'],
      ['HEADER_DUPLICATE', HEADER_DUPLICATE_SCORE, 'subject appears 3 times'],
    ]);
    expect(verdict.action).toBe('tag');
  });
});
