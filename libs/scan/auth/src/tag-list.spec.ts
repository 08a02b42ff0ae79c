import { describe, expect, it } from 'vitest';
import { parseTagList } from './tag-list.js';

describe('parseTagList', () => {
  it('removes the FWS around each value, folded lines included', () => {
    expect(parseTagList(' v=1;\r\n\tb = abc \r\n def \r\n ;')).toEqual(new Map([['v', '1'], ['b', 'abc \r\n def']]));
  });

  it('trims a value ending in a long run of folding whitespace in one pass', () => {
    const t0 = performance.now();
    expect(parseTagList(`a=b${' \r\n '.repeat(50_000)}x`).get('a')).toHaveLength(200_002);
    expect(parseTagList(`a=b${' \r\n '.repeat(50_000)}`).get('a')).toBe('b');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
