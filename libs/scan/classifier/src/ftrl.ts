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
 * The state of FTRL-Proximal over 2^hashBits buckets plus the bias (slot `size`: a feature present in every
 * example, never L1-penalised): per-coordinate z and n, from which each weight follows.
 */
export class FtrlState {
  readonly size: number;
  private readonly z: Float64Array;
  private readonly n: Float64Array;

  constructor(
    hashBits: number,
    private readonly opts: FtrlOptions = DEFAULT_FTRL,
  ) {
    this.size = 1 << hashBits;
    this.z = new Float64Array(this.size + 1);
    this.n = new Float64Array(this.size + 1);
  }

  /**
   * A state whose weights are the given ones, as if no gradient had been seen yet (n = 0): the on-line
   * learner's start from a trained model, whose training history is not stored with it.
   */
  static from(weights: Float32Array, bias: number, hashBits: number, opts: FtrlOptions = DEFAULT_FTRL): FtrlState {
    const state = new FtrlState(hashBits, opts);
    const scale = opts.beta / opts.alpha + opts.l2;
    for (let i = 0; i < state.size; i++) if (weights[i] !== 0) state.z[i] = -weights[i] * scale - Math.sign(weights[i]) * opts.l1;
    state.z[state.size] = -bias * scale;
    return state;
  }

  weightAt(i: number): number {
    const l1 = i === this.size ? 0 : this.opts.l1;
    const zi = this.z[i];
    if (Math.abs(zi) <= l1) return 0;
    return -(zi - Math.sign(zi) * l1) / ((this.opts.beta + Math.sqrt(this.n[i])) / this.opts.alpha + this.opts.l2);
  }

  /** One on-line step on one example; calls `moved(i)` for each coordinate it updated (the bias is `size`). */
  step(ex: Example, moved?: (i: number) => void): void {
    const { indices, values } = ex.x;
    let m = this.weightAt(this.size);
    for (let k = 0; k < indices.length; k++) m += this.weightAt(indices[k]) * values[k];
    const g = (sigmoid(m) - (ex.spam ? 1 : 0)) * (ex.spam ? 1 : this.opts.hamWeight);
    this.update(this.size, g);
    moved?.(this.size);
    for (let k = 0; k < indices.length; k++) {
      this.update(indices[k], g * values[k]);
      moved?.(indices[k]);
    }
  }

  private update(i: number, g: number): void {
    const w = this.weightAt(i);
    const sigma = (Math.sqrt(this.n[i] + g * g) - Math.sqrt(this.n[i])) / this.opts.alpha;
    this.z[i] += g - sigma * w;
    this.n[i] += g * g;
  }
}

/**
 * Trains logistic regression with FTRL-Proximal: per-coordinate adaptive learning rates and L1 sparsity.
 * Deterministic for a given seed (example order is shuffled with it each epoch).
 */
export function trainFtrl(examples: Example[], hashBits: number, opts: FtrlOptions = DEFAULT_FTRL): { weights: Float32Array; bias: number } {
  const state = new FtrlState(hashBits, opts);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const ex of seededShuffle(examples, opts.seed + epoch)) state.step(ex);
  }
  const weights = new Float32Array(state.size);
  for (let i = 0; i < state.size; i++) weights[i] = state.weightAt(i);
  return { weights, bias: state.weightAt(state.size) };
}
