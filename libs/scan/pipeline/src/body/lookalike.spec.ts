import { describe, expect, it } from 'vitest';
import { skeleton } from './confusables.js';
import { editDistance } from './edit-distance.js';

describe('confusable skeleton', () => {
  it('maps Cyrillic and Greek lookalikes, digits and letter pairs to Latin', () => {
    expect(skeleton('pаypаl')).toBe(skeleton('paypal'));
    expect(skeleton('paypa1')).toBe(skeleton('paypal'));
    expect(skeleton('g00gle')).toBe(skeleton('google'));
    expect(skeleton('rnicrosoft')).toBe(skeleton('microsoft'));
    expect(skeleton('nаvеr')).toBe('naver');
    expect(skeleton('naver')).not.toBe(skeleton('kakao'));
  });
});

describe('edit distance', () => {
  it('counts substitutions, insertions and adjacent swaps, stopping past the limit', () => {
    expect(editDistance('paypal', 'paypal', 1)).toBe(0);
    expect(editDistance('paypal', 'paypall', 1)).toBe(1);
    expect(editDistance('paypal', 'paypla', 1)).toBe(1);
    expect(editDistance('paypal', 'pavpal', 1)).toBe(1);
    expect(editDistance('paypal', 'apple', 1)).toBe(2);
    expect(editDistance('samsung', 'sansumg', 2)).toBe(2);
  });
});
