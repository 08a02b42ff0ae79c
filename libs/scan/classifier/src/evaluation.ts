// Detection figures from scores where higher means more spam-like (`moat eval`, benchmarks/classifier).

/** Recall reachable while at most floor(maxFpRate * ham) ham score above the threshold. */
export interface RecallAtFp {
  recall: number;
  /** The threshold: a message is caught when its score is strictly above it. */
  threshold: number;
  falsePositives: number;
  allowed: number;
}

/**
 * Highest recall reachable while at most floor(maxFpRate * ham) ham messages score above the threshold:
 * the threshold sits on the first ham that must stay below it, and every message tied with it counts as
 * not caught (a tie is never broken in the filter's favour).
 */
export function recallAtFpRate(spamScores: readonly number[], hamScores: readonly number[], maxFpRate: number): RecallAtFp {
  const ham = [...hamScores].sort((a, b) => b - a);
  const allowed = Math.floor(maxFpRate * ham.length);
  const cut = allowed < ham.length ? ham[allowed] : -Infinity;
  let caught = 0;
  for (const s of spamScores) if (s > cut) caught++;
  let falsePositives = 0;
  for (const h of ham) if (h > cut) falsePositives++;
  return { recall: spamScores.length ? caught / spamScores.length : 0, threshold: cut, falsePositives, allowed };
}

/**
 * Area under the ROC curve: the probability that a random spam outscores a random ham, a tie counting half
 * (the Mann-Whitney statistic from mid-ranks). (1 - ROCA) * 100 is the TREC spam track's "(1-ROCA)%".
 */
export function rocArea(spamScores: readonly number[], hamScores: readonly number[]): number {
  const all: [number, boolean][] = [...spamScores.map((s): [number, boolean] => [s, true]), ...hamScores.map((s): [number, boolean] => [s, false])];
  all.sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const midRank = (i + j + 1) / 2;
    for (let t = i; t < j; t++) if (all[t][1]) rankSum += midRank;
    i = j;
  }
  const nS = spamScores.length;
  const nH = hamScores.length;
  if (nS === 0 || nH === 0) return NaN;
  return (rankSum - (nS * (nS + 1)) / 2) / (nS * nH);
}
