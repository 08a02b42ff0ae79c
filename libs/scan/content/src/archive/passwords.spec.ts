import { describe, expect, it } from 'vitest';
import { candidatePasswords } from './passwords.js';

describe('candidatePasswords', () => {
  it('puts words after a password cue first, in any of the languages', () => {
    expect(candidatePasswords(['Hi Bob,\nthe file is attached.\nPassword: s3cr3t!\n'], 4)).toEqual(['s3cr3t', 's3cr3t!', 'Bob', 'the']);
    expect(candidatePasswords(['첨부 파일 비밀번호는 1234 입니다'], 1)).toEqual(['1234']);
    expect(candidatePasswords(['The password is "infected".'], 1)).toEqual(['infected']);
  });

  it('reads a cue followed by a long run of spaces in one pass, and still finds the real password after it', () => {
    const junk = `pw is${' '.repeat(250_000)},`;
    expect(candidatePasswords([junk], 4)).toEqual(['is']);
    expect(candidatePasswords([`${junk}\nThe password is: infected`], 2)).toEqual(['is', 'infected']);
  });

  it('stops at the limit and drops duplicates', () => {
    expect(candidatePasswords(['pw: abc abc abc def'], 10)).toEqual(['abc', 'def']);
    expect(candidatePasswords(['one two three four'], 2)).toHaveLength(2);
  });

  it('strips a sentence end from a candidate in one pass however long the run of stops', () => {
    const t0 = performance.now();
    expect(candidatePasswords([`Password: ${'.'.repeat(100_000)}x`], 1)).toHaveLength(1);
    expect(candidatePasswords(['Password: s3cr3t?!'], 1)).toEqual(['s3cr3t']);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
