import { describe, expect, it } from 'vitest';
import { Results } from './results.js';
import { decideVerdict } from './verdict.js';

const thresholds = { tag: 5, quarantine: 10, reject: 15 };

function scored(...scores: number[]): Results {
  const results = new Results();
  scores.forEach((score, i) => results.add(`SYM_${i}`, score, 'test'));
  return results;
}

describe('decideVerdict', () => {
  it.each([
    [[], 'deliver'],
    [[4.9], 'deliver'],
    [[2.5, 2.5], 'tag'],
    [[9.99], 'tag'],
    [[10], 'quarantine'],
    [[14, 0.5], 'quarantine'],
    [[15], 'reject'],
    [[20, -10], 'quarantine'],
  ])('scores %j -> %s (inclusive thresholds)', (scores, action) => {
    expect(decideVerdict([scored(...scores)], thresholds).action).toBe(action);
  });

  it('gives a reply for a score reject, and sums across scopes without float noise', () => {
    const verdict = decideVerdict([scored(0.1, 0.2), scored(14.7)], thresholds);
    expect(verdict).toMatchObject({ action: 'reject', score: 15, reply: { code: 554 } });
    expect(verdict.symbols).toHaveLength(3);
  });

  it('takes the more severe of the forced action and the score, so a forced tag cannot lower a reject', () => {
    const quarantined = scored(7);
    quarantined.setAction('quarantine');
    expect(decideVerdict([quarantined], thresholds)).toMatchObject({ action: 'quarantine', score: 7 });
    expect(decideVerdict([quarantined], thresholds).reply).toBeUndefined();

    const tagged = scored(20);
    tagged.setAction('tag');
    expect(decideVerdict([tagged], thresholds)).toMatchObject({ action: 'reject', score: 20, reply: { code: 554 } });

    const refused = new Results();
    refused.tempfail({ code: 451, message: '4.3.0 later' });
    expect(decideVerdict([quarantined, refused], thresholds)).toMatchObject({ action: 'tempfail', reply: { code: 451 } });
    refused.reject({ code: 554, message: '5.7.1 no' });
    refused.setAction('tag');
    expect(decideVerdict([refused], thresholds)).toMatchObject({ action: 'reject', reply: { code: 554 } });
  });
});
