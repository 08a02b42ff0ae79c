// Detection figures from scores where higher means more spam-like: recall at a maximum FP rate and the ROC
// area are the library's (the same code as `moat eval`'s summary line).
import { recallAtFpRate, rocArea as auc } from '../../libs/scan/classifier/dist/index.js';

export { recallAtFpRate, auc };

/** Recall and false-positive rate with a fixed rule `isSpam(score)`. */
export function atThreshold(spamScores, hamScores, isSpam) {
  const tp = spamScores.filter(isSpam).length;
  const fp = hamScores.filter(isSpam).length;
  return { recall: tp / spamScores.length, fpRate: fp / hamScores.length, falsePositives: fp, falseNegatives: spamScores.length - tp };
}

/**
 * Figures for one system from its per-fold held-out results ({ spamScores, hamScores, cpuMsPerMessage, and either
 * isSpamByDefault(score) or caught: { spam, ham } }) at a maximum FP rate.
 */
export function summarise(name, results, defaultRule, maxFp, extra = {}) {
  const spam = results.flatMap((r) => r.spamScores);
  const ham = results.flatMap((r) => r.hamScores);
  const pooled = recallAtFpRate(spam, ham, maxFp);
  const perFold = results.map((r) => recallAtFpRate(r.spamScores, r.hamScores, maxFp).recall);
  let defTp = 0;
  let defFp = 0;
  for (const r of results) {
    // The product's default is its verdict (what it does with the message), counted per class.
    const d = r.caught ? { falseNegatives: r.spamScores.length - r.caught.spam, falsePositives: r.caught.ham } : atThreshold(r.spamScores, r.hamScores, r.isSpamByDefault);
    defTp += r.spamScores.length - d.falseNegatives;
    defFp += d.falsePositives;
  }
  const cpu = results.reduce((s, r) => s + r.cpuMsPerMessage * (r.spamScores.length + r.hamScores.length), 0) / (spam.length + ham.length);
  return {
    name,
    scored: { spam: spam.length, ham: ham.length },
    pooled,
    perFoldMean: perFold.reduce((a, b) => a + b, 0) / perFold.length,
    perFold,
    defaultRule,
    atDefault: { recall: defTp / spam.length, fpRate: defFp / ham.length, falsePositives: defFp },
    auc: auc(spam, ham),
    cpuMsPerMessage: cpu,
    ...extra,
  };
}
