// Detection figures from scores where higher means more spam-like.

/**
 * Highest recall reachable while at most floor(maxFpRate * ham) ham messages score above the threshold:
 * the threshold sits just above the first ham that must stay below it (ties count as not spam).
 */
export function recallAtFpRate(spamScores, hamScores, maxFpRate) {
  const ham = [...hamScores].sort((a, b) => b - a);
  const allowed = Math.floor(maxFpRate * ham.length);
  const cut = allowed < ham.length ? ham[allowed] : -Infinity;
  const caught = spamScores.filter((s) => s > cut).length;
  return { recall: caught / spamScores.length, threshold: cut, falsePositives: ham.filter((s) => s > cut).length, allowed };
}

/** Recall and false-positive rate with a fixed rule `isSpam(score)`. */
export function atThreshold(spamScores, hamScores, isSpam) {
  const tp = spamScores.filter(isSpam).length;
  const fp = hamScores.filter(isSpam).length;
  return { recall: tp / spamScores.length, fpRate: fp / hamScores.length, falsePositives: fp, falseNegatives: spamScores.length - tp };
}

/** Area under the ROC curve (probability a random spam outscores a random ham; ties count half). */
export function auc(spamScores, hamScores) {
  const all = [...spamScores.map((s) => [s, 1]), ...hamScores.map((s) => [s, 0])].sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const avgRank = (i + j + 1) / 2;
    for (let t = i; t < j; t++) if (all[t][1] === 1) rankSum += avgRank;
    i = j;
  }
  const nS = spamScores.length;
  return (rankSum - (nS * (nS + 1)) / 2) / (nS * hamScores.length);
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
