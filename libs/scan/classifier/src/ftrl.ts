import type { FeatureVector } from './model.js';
import { sigmoid } from './model.js';
import { seededShuffle } from './random.js';

export interface Example {
  x: FeatureVector;
  spam: boolean;
}

/** FTRL-Proximal hyper-parameters (McMahan et al. 2013) and the training schedule. */
export interface FtrlOptions {
  alpha: number;
  beta: number;
  /** L1 strength: zeroes weak features, which keeps the stored model small. */
  l1: number;
  l2: number;
  epochs: number;
  /** Loss weight of a ham example relative to spam: above 1 buys fewer false positives. */
  hamWeight: number;
  seed: number;
}

export const DEFAULT_FTRL: FtrlOptions = { alpha: 2, beta: 1, l1: 0.0005, l2: 0.001, epochs: 12, hamWeight: 4, seed: 1 };

/**
 * Trains logistic regression with FTRL-Proximal: per-coordinate adaptive learning rates and L1 sparsity.
 * Deterministic for a given seed (example order is shuffled with it each epoch).
 */
export function trainFtrl(examples: Example[], hashBits: number, opts: FtrlOptions = DEFAULT_FTRL): { weights: Float32Array; bias: number } {
  const size = 1 << hashBits;
  // Slot `size` is the bias: a feature present in every example, never L1-penalised.
  const z = new Float64Array(size + 1);
  const n = new Float64Array(size + 1);
  const weightAt = (i: number, l1: number): number => {
    const zi = z[i];
    if (Math.abs(zi) <= l1) return 0;
    return -(zi - Math.sign(zi) * l1) / ((opts.beta + Math.sqrt(n[i])) / opts.alpha + opts.l2);
  };
  const update = (i: number, g: number, l1: number): void => {
    const w = weightAt(i, l1);
    const sigma = (Math.sqrt(n[i] + g * g) - Math.sqrt(n[i])) / opts.alpha;
    z[i] += g - sigma * w;
    n[i] += g * g;
  };

  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const ex of seededShuffle(examples, opts.seed + epoch)) {
      const { indices, values } = ex.x;
      let m = weightAt(size, 0);
      for (let k = 0; k < indices.length; k++) m += weightAt(indices[k], opts.l1) * values[k];
      const y = ex.spam ? 1 : 0;
      const g = (sigmoid(m) - y) * (ex.spam ? 1 : opts.hamWeight);
      update(size, g, 0);
      for (let k = 0; k < indices.length; k++) update(indices[k], g * values[k], opts.l1);
    }
  }
  const weights = new Float32Array(size);
  for (let i = 0; i < size; i++) weights[i] = weightAt(i, opts.l1);
  return { weights, bias: weightAt(size, 0) };
}
