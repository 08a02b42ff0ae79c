import { describe, expect, it } from 'vitest';
import { recallAtFpRate, rocArea } from './evaluation.js';

describe('rocArea', () => {
  it('is 1 when every spam outscores every ham and 0 when every ham outscores every spam', () => {
    expect(rocArea([3, 4], [1, 2])).toBe(1);
    expect(rocArea([1, 2], [3, 4])).toBe(0);
  });

  it('counts a spam-ham tie as half a pair', () => {
    // Pairs: (2,1) win, (2,2) tie, (3,1) win, (3,2) win -> 3.5 of 4.
    expect(rocArea([2, 3], [1, 2])).toBe(3.5 / 4);
    expect(rocArea([5, 5, 5], [5, 5])).toBe(0.5);
  });

  it('is undefined (NaN) without both classes', () => {
    expect(rocArea([1], [])).toBeNaN();
  });
});

describe('recallAtFpRate', () => {
  it('allows floor(rate * ham) false positives and catches the spam strictly above the next ham', () => {
    const ham = Array.from({ length: 1000 }, (_, i) => i / 1000); // 0 .. 0.999
    const spam = [0.9985, 0.9995, 0.5, 2];
    // 0.1% of 1000 ham: one ham (0.999) may be above the threshold, which sits on the next one (0.998).
    expect(recallAtFpRate(spam, ham, 0.001)).toEqual({ recall: 0.75, threshold: 0.998, falsePositives: 1, allowed: 1 });
    // 1%: ten ham may be above, the threshold is 0.989.
    expect(recallAtFpRate(spam, ham, 0.01).recall).toBe(0.75);
    expect(recallAtFpRate(spam, ham, 0).threshold).toBe(0.999);
  });

  it('counts a spam tied with the threshold ham as missed', () => {
    expect(recallAtFpRate([1, 2], [1], 0).recall).toBe(0.5);
  });
});
