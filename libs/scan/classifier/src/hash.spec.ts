import { describe, expect, it } from 'vitest';
import { featureBucket, hashString } from './hash.js';

describe('hashString', () => {
  it('is stable across runs and platforms (the model layout depends on it)', () => {
    expect([hashString('viagra'), hashString('s:free'), hashString('c2:무료'), hashString('')]).toEqual([575517428, 923936249, 1445190261, 2872998923]);
    expect(hashString('abc')).not.toBe(hashString('acb'));
  });

  it('spreads features evenly over the buckets', () => {
    const bits = 10;
    const counts = new Uint32Array(1 << bits);
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[featureBucket(`word${i}`, bits)]++;
    const expected = n / counts.length;
    let chi2 = 0;
    for (const c of counts) chi2 += (c - expected) ** 2 / expected;
    // For 1023 degrees of freedom a uniform hash gives about 1023 +- 45; a poor one, many times more.
    expect(chi2).toBeLessThan(1300);
    expect(Math.max(...counts)).toBeLessThan(expected * 1.5);
  });
});
