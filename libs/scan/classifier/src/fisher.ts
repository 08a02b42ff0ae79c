/**
 * Robinson-Fisher token evidence (as in bogofilter and SpamBayes): each bucket's spam probability from its
 * spam and ham message counts, shrunk towards `robX` with strength `robS`; buckets within `minDev` of 0.5
 * are ignored, and the rest are combined with Fisher's chi-square method. It is strong exactly where
 * logistic regression is weak, at the extreme tails (a few very telling tokens), so the model uses both.
 */
export interface TokenCounts {
  spam: Uint32Array;
  ham: Uint32Array;
  /** Messages counted. */
  spamMessages: number;
  hamMessages: number;
}

// bogofilter's defaults for robs/robx; min_dev lower than its 0.375 (chosen by cross-validation, see README).
const ROB_S = 0.0178;
const ROB_X = 0.52;
const MIN_DEV = 0.1;

export function emptyCounts(size: number): TokenCounts {
  return { spam: new Uint32Array(size), ham: new Uint32Array(size), spamMessages: 0, hamMessages: 0 };
}

/** Counts one message's distinct buckets. */
export function countMessage(counts: TokenCounts, indices: Uint32Array, spam: boolean): void {
  const table = spam ? counts.spam : counts.ham;
  for (let k = 0; k < indices.length; k++) table[indices[k]]++;
  if (spam) counts.spamMessages++;
  else counts.hamMessages++;
}

/** Upper tail of the chi-square distribution with an even number of degrees of freedom. */
function chi2Q(chi: number, df: number): number {
  const m = chi / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < df / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

/** Fisher-combined spamminess in [0, 1] (0.5 when no bucket says anything). */
export function fisherScore(counts: TokenCounts, indices: Uint32Array): number {
  if (counts.spamMessages === 0 || counts.hamMessages === 0) return 0.5;
  let lnSpam = 0;
  let lnHam = 0;
  let n = 0;
  for (let k = 0; k < indices.length; k++) {
    const s = counts.spam[indices[k]];
    const h = counts.ham[indices[k]];
    if (s + h === 0) continue;
    const bad = s / counts.spamMessages;
    const p = bad / (bad + h / counts.hamMessages);
    const f = (ROB_S * ROB_X + (s + h) * p) / (ROB_S + s + h);
    if (Math.abs(f - 0.5) < MIN_DEV) continue;
    lnSpam += Math.log(1 - f);
    lnHam += Math.log(f);
    n++;
  }
  if (n === 0) return 0.5;
  return (1 + chi2Q(-2 * lnHam, 2 * n) - chi2Q(-2 * lnSpam, 2 * n)) / 2;
}
