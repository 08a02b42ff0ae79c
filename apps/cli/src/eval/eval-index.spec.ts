import { describe, expect, it } from 'vitest';
import { IndexFormatError, parseEvalIndex } from './eval-index.js';

describe('parseEvalIndex', () => {
  it('reads spam/ham lines in order, paths relative to the index directory, blank lines skipped', () => {
    const entries = parseEvalIndex('spam ../data/inmail.1\n\nham\tham/a b.eml\r\nspam /abs/x.eml\n', '/corpus/full/index');
    expect(entries).toEqual([
      { line: 1, spam: true, file: '../data/inmail.1', path: '/corpus/data/inmail.1' },
      { line: 3, spam: false, file: 'ham/a b.eml', path: '/corpus/full/ham/a b.eml' },
      { line: 4, spam: true, file: '/abs/x.eml', path: '/abs/x.eml' },
    ]);
  });

  it('names every bad line by number and scores nothing', () => {
    let error: unknown;
    try {
      parseEvalIndex('spam a.eml\nSPAM b.eml\nham\nunsure c.eml\n', '/i/index');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IndexFormatError);
    expect((error as IndexFormatError).problems).toEqual([
      '/i/index:2: the label must be "spam" or "ham", got "SPAM"',
      '/i/index:3: no PATH after "ham"',
      '/i/index:4: the label must be "spam" or "ham", got "unsure"',
    ]);
  });

  it('refuses an index without any message, and caps the problems it lists', () => {
    expect(() => parseEvalIndex('\n\n', '/i/index')).toThrow('no "spam PATH" or "ham PATH" line');
    const many = Array.from({ length: 50 }, () => 'junk').join('\n');
    const problems = (() => {
      try {
        parseEvalIndex(many, '/i/index');
        return [];
      } catch (err) {
        return (err as IndexFormatError).problems;
      }
    })();
    expect(problems).toHaveLength(21);
    expect(problems[20]).toBe('... and 30 more bad lines');
  });
});
