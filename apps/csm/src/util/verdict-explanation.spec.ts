import { describe, expect, it } from 'vitest';
import { actionByScore, explainVerdict, symbolMeaning } from './verdict-explanation.js';

const thresholds = { tag: 5, quarantine: 10, reject: 15 };
const symbol = (name: string, score = 0) => ({ name, score, detail: '', stage: 'data' });

describe('verdict explanation', () => {
  it('gives the score action with inclusive thresholds', () => {
    expect([0, 5, 9.9, 10, 15, 40].map((s) => actionByScore(s, thresholds))).toEqual(['deliver', 'tag', 'tag', 'quarantine', 'reject', 'reject']);
  });

  it('names the findings that forced a more severe action than the score', () => {
    const explained = explainVerdict('quarantine', 1.5, [symbol('SPF_PASS', -1), symbol('AV_VIRUS'), symbol('ATTACHMENT_EXECUTABLE')], thresholds);
    expect(explained).toEqual({
      byScore: 'deliver',
      forced: true,
      forcedBy: ['AV_VIRUS', 'ATTACHMENT_EXECUTABLE'],
      summary: 'quarantine forced by AV_VIRUS, ATTACHMENT_EXECUTABLE; the score 1.5 alone would deliver (tag 5, quarantine 10, reject 15)',
    });
    expect(explainVerdict('tag', 7, [symbol('BAYES_SPAM', 7)], thresholds)).toMatchObject({ forced: false, forcedBy: [], summary: 'tag by score 7 (tag 5, quarantine 10, reject 15)' });
  });

  it('says what each symbol family means, and something for unknown ones', () => {
    expect(symbolMeaning('RBL_SPAMHAUS')).toMatch(/DNS block list/);
    expect(symbolMeaning('AV_UNAVAILABLE')).toMatch(/did not answer/);
    expect(symbolMeaning('AV_EICAR')).toMatch(/malware/);
    expect(symbolMeaning('RATE_PER_CLIENT')).toMatch(/rate rule/);
    expect(symbolMeaning('GREYLIST_UNAVAILABLE')).toMatch(/Greylisting/);
    expect(symbolMeaning('KR_AD_MARKER_MISSING')).toMatch(/광고/);
    expect(symbolMeaning('SOMETHING_NEW')).toBe('A check fired; its detail says what it found.');
  });
});
