import { createHash } from 'node:crypto';
import { emptyCounts, fisherScore, type TokenCounts } from './fisher.js';
import { featureBucket } from './hash.js';
import type { MessageFeatures } from './tokenize.js';

/** Version of the tokeniser's feature set: a model trained with another one cannot be used. */
export const TOKENIZER_VERSION = 1;

/** Weight of the Fisher token evidence (as log-odds) next to the logistic-regression margin (chosen by cross-validation). */
export const FISHER_WEIGHT = 1.5;

export interface FeatureConfig {
  /** The weight and count tables have 2^hashBits buckets. */
  hashBits: number;
  tokenizer: number;
}

/** Platt scaling: probability = sigmoid(a * raw score + b). */
export interface Calibration {
  a: number;
  b: number;
}

/**
 * A spam model over hashed features: logistic regression (weights, bias) plus per-bucket spam/ham message
 * counts for the Fisher token evidence; their sum is calibrated into a probability.
 */
export interface SpamModel {
  /** Content hash of the parameters: changes whenever the model learns. */
  version: string;
  features: FeatureConfig;
  bias: number;
  weights: Float32Array;
  counts: TokenCounts;
  calibration: Calibration;
}

/** A message as the model sees it: distinct buckets and their values, and the buckets the Fisher evidence reads. */
export interface FeatureVector {
  indices: Uint32Array;
  values: Float32Array;
  evidence: Uint32Array;
}

export function emptyModel(hashBits: number): SpamModel {
  const size = 1 << hashBits;
  const model: SpamModel = {
    version: '',
    features: { hashBits, tokenizer: TOKENIZER_VERSION },
    bias: 0,
    weights: new Float32Array(size),
    counts: emptyCounts(size),
    calibration: { a: 1, b: 0 },
  };
  model.version = modelVersion(model);
  return model;
}

/**
 * Hashes features into buckets with binary presence values, the body words and the rest each scaled to unit
 * norm on their own (a bucket hit by both, a hash collision, sums them); body and meta buckets are also the
 * Fisher evidence.
 */
export function vectorize(features: MessageFeatures, hashBits: number): FeatureVector {
  const body = new Set<number>();
  const meta = new Set<number>();
  const structure = new Set<number>();
  for (const f of features.body) body.add(featureBucket(f, hashBits));
  for (const f of features.meta) meta.add(featureBucket(f, hashBits));
  for (const f of features.structure) structure.add(featureBucket(f, hashBits));
  const values = new Map<number, number>();
  const bodyValue = 1 / Math.sqrt(body.size);
  for (const b of body) values.set(b, bodyValue);
  const rest = new Set([...meta, ...structure]);
  const restValue = 1 / Math.sqrt(rest.size);
  for (const b of rest) values.set(b, (values.get(b) ?? 0) + restValue);
  return { indices: Uint32Array.from(values.keys()), values: Float32Array.from(values.values()), evidence: Uint32Array.from(new Set([...body, ...meta])) };
}

/** The logistic-regression log-odds of spam. */
export function regressionMargin(model: Pick<SpamModel, 'weights' | 'bias'>, x: FeatureVector): number {
  let sum = model.bias;
  const w = model.weights;
  for (let i = 0; i < x.indices.length; i++) sum += w[x.indices[i]] * x.values[i];
  return sum;
}

const FISHER_CLAMP = 1e-12;

/** Regression margin plus the weighted log-odds of the Fisher score: the uncalibrated score. */
export function rawScore(model: SpamModel, x: FeatureVector): number {
  const f = Math.min(1 - FISHER_CLAMP, Math.max(FISHER_CLAMP, fisherScore(model.counts, x.evidence)));
  return regressionMargin(model, x) + FISHER_WEIGHT * Math.log(f / (1 - f));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Calibrated log-odds of spam: unlike the probability, it does not saturate, so it ranks every message. */
export function logOdds(model: SpamModel, x: FeatureVector): number {
  return model.calibration.a * rawScore(model, x) + model.calibration.b;
}

/** Calibrated probability that the message is spam. */
export function probability(model: SpamModel, x: FeatureVector): number {
  return sigmoid(logOdds(model, x));
}

const bytesOf = (a: Float32Array | Uint32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A short, stable identifier of the model's parameters. */
export function modelVersion(model: Omit<SpamModel, 'version'>): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ f: model.features, b: model.bias, c: model.calibration, n: [model.counts.spamMessages, model.counts.hamMessages] }));
  h.update(bytesOf(model.weights));
  h.update(bytesOf(model.counts.spam));
  h.update(bytesOf(model.counts.ham));
  return h.digest('hex').slice(0, 16);
}
