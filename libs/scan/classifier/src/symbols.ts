/** A named finding of the classifier (the pipeline's check adds the stage when it emits it). */
export interface ClassifierSymbol {
  name: 'BAYES_SPAM' | 'BAYES_HAM';
  score: number;
  detail: string;
}

/** Score of BAYES_SPAM at probability 1 and of BAYES_HAM (negated) at probability 0. */
export const MAX_SPAM_SCORE = 6.5;
export const MAX_HAM_SCORE = 3;

/**
 * The spam probability from which BAYES_SPAM scores. Below it the classifier is unsure: a model trained on the
 * development corpus's older groups put legitimate newsletters of the newer ones at p 0.5-0.91 (the highest
 * depending on the order of its training files), where a BAYES_SPAM of 1-4 added to their bulk-mail shape (HTML
 * only, no List-Unsubscribe) reached the tag score (benchmarks/RESULTS-eval.md). Between 0.5 and this probability
 * BAYES_SPAM scores 0; it still names the probability.
 */
export const SPAM_EVIDENCE_FROM = 0.75;

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The scores of the two symbols at full confidence (a policy's `classifier.spamScore` / `hamScore`). */
export interface SymbolScores {
  spam: number;
  ham: number;
}

const DEFAULT_SCORES: SymbolScores = { spam: MAX_SPAM_SCORE, ham: MAX_HAM_SCORE };

/**
 * Turns a calibrated spam probability into one symbol whose score grows linearly with the confidence:
 * BAYES_SPAM 0 from p = 0.5 up to SPAM_EVIDENCE_FROM, then up to `scores.spam` at p = 1; BAYES_HAM from 0 down to
 * -`scores.ham` at p = 0.
 */
export function probabilitySymbols(probability: number, modelVersion: string, scores: SymbolScores = DEFAULT_SCORES, logOdds?: number): ClassifierSymbol[] {
  // The log-odds still rank messages whose probability rounds to 0.0000 or 1.0000.
  const detail = `spam probability ${probability.toFixed(4)}${logOdds === undefined ? '' : `, log-odds ${logOdds.toFixed(2)}`} (model ${modelVersion})`;
  if (probability >= 0.5) return [{ name: 'BAYES_SPAM', score: round2((scores.spam * Math.max(0, probability - SPAM_EVIDENCE_FROM)) / (1 - SPAM_EVIDENCE_FROM)), detail }];
  return [{ name: 'BAYES_HAM', score: round2(-scores.ham * (1 - 2 * probability)), detail }];
}

const LOG_ODDS_DETAIL = /, log-odds (-?\d+\.\d+) /;

/** The calibrated log-odds a BAYES_SPAM / BAYES_HAM detail names (written by probabilitySymbols), if it names them. */
export function logOddsInDetail(detail: string): number | undefined {
  const match = LOG_ODDS_DETAIL.exec(detail);
  return match ? Number(match[1]) : undefined;
}

/** The probability at which BAYES_SPAM alone reaches `score` (e.g. the policy's tag threshold, 5 by default). */
export function probabilityForSpamScore(score: number): number {
  return Math.min(1, SPAM_EVIDENCE_FROM + ((1 - SPAM_EVIDENCE_FROM) * score) / MAX_SPAM_SCORE);
}
