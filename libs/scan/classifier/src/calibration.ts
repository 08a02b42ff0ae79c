import type { Calibration } from './model.js';

/**
 * Fits Platt scaling (probability = sigmoid(a * score + b)) to scores of messages the model did not train on:
 * Newton's method with backtracking line search on the log loss (Lin, Lin and Weng's robust variant), with
 * Platt's smoothed targets so that a perfectly separated held-out set does not drive the slope to infinity.
 */
export function fitPlatt(scores: ArrayLike<number>, spam: ArrayLike<boolean>): Calibration {
  let positives = 0;
  for (let i = 0; i < spam.length; i++) if (spam[i]) positives++;
  const negatives = spam.length - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const target = (i: number): number => (spam[i] ? hi : lo);

  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < scores.length; i++) {
      const z = a * scores[i] + b;
      const t = target(i);
      // -[t log p + (1 - t) log(1 - p)] with p = sigmoid(z), written to avoid overflow.
      sum += z >= 0 ? (1 - t) * z + Math.log1p(Math.exp(-z)) : -t * z + Math.log1p(Math.exp(z));
    }
    return sum;
  };

  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < scores.length; i++) {
      const f = scores[i];
      const z = a * f + b;
      const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      const d = p - target(i);
      const w = Math.max(p * (1 - p), 1e-12);
      gA += d * f;
      gB += d;
      hAA += w * f * f;
      hAB += w * f;
      hBB += w;
    }
    if (Math.abs(gA) < 1e-7 && Math.abs(gB) < 1e-7) break;
    const det = hAA * hBB - hAB * hAB;
    const dA = -(hBB * gA - hAB * gB) / det;
    const dB = -(hAA * gB - hAB * gA) / det;
    const slope = gA * dA + gB * dB;
    let step = 1;
    while (step >= 1e-10) {
      const next = loss(a + step * dA, b + step * dB);
      if (next < current + 1e-4 * step * slope) {
        a += step * dA;
        b += step * dB;
        current = next;
        break;
      }
      step /= 2;
    }
    if (step < 1e-10) break;
  }
  return { a, b };
}
