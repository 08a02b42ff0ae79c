// Moat's classifier on the folds: train on k-1 folds, score the held-out fold with classify().
import { classify, logOdds, toExamples, trainOnExamples } from '../../libs/scan/classifier/dist/index.js';
import { recallAtFpRate } from './metrics.mjs';

const INNER_FOLDS = 4;

/**
 * Returns per fold the held-out scores, the CPU time of classify() per held-out message, and a threshold
 * chosen on the training folds only (from out-of-fold scores of an inner cross-validation on them).
 */
export function evaluateMoat(messages, folds, k, { hashBits, ftrl, maxFpRate, innerThreshold }) {
  const examples = toExamples(messages, hashBits);
  const results = [];
  for (let fold = 0; fold < k; fold++) {
    const trainIdx = messages.map((_, i) => i).filter((i) => folds[i] !== fold);
    const testIdx = messages.map((_, i) => i).filter((i) => folds[i] === fold);
    const t0 = Date.now();
    const model = trainOnExamples(trainIdx.map((i) => examples[i]), hashBits, { hashBits, ftrl });
    const trainMs = Date.now() - t0;

    const spamScores = [];
    const hamScores = [];
    const cpu0 = process.cpuUsage();
    for (const i of testIdx) {
      const p = classify(messages[i].raw, model).logOdds;
      (messages[i].spam ? spamScores : hamScores).push(p);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerMessage = (cpu.user + cpu.system) / 1000 / testIdx.length;

    let trainingThreshold;
    if (innerThreshold) {
      const innerSpam = [];
      const innerHam = [];
      for (let inner = 0; inner < INNER_FOLDS; inner++) {
        const fit = trainIdx.filter((_, j) => j % INNER_FOLDS !== inner);
        const held = trainIdx.filter((_, j) => j % INNER_FOLDS === inner);
        const innerModel = trainOnExamples(fit.map((i) => examples[i]), hashBits, { hashBits, ftrl });
        for (const i of held) (messages[i].spam ? innerSpam : innerHam).push(logOdds(innerModel, examples[i].x));
      }
      trainingThreshold = recallAtFpRate(innerSpam, innerHam, maxFpRate).threshold;
    }
    results.push({ fold, spamScores, hamScores, cpuMsPerMessage, trainMs, trainingThreshold, testIdx });
  }
  return results;
}
