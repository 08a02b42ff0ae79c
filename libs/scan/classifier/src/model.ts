import { createHash } from 'node:crypto';
import { emptyCounts, fisherScore, type TokenCounts } from './fisher.js';
import { featureBucket } from './hash.js';
import type { MessageFeatures } from './tokenize.js';

/** Version of the tokeniser's feature set: a model trained with another one cannot be used. */
export const TOKENIZER_VERSION = 6;


export interface FeatureConfig {
  /** The weight and count tables have 2^hashBits buckets. */
  hashBits: number;
  tokenizer: number;
}

/** Weight of the Fisher token evidence (as log-odds) next to the logistic-regression margin (chosen by cross-validation). */
export const FISHER_WEIGHT = 1.5;

/**
 * How the learners' scores become calibrated log-odds: log-odds = a * (margin + shrink * Fisher log-odds) +
 * b * shrink, where shrink = min(1, known / k) and `known` counts the message's evidence buckets seen in at
 * least MIN_KNOWN_COUNT training messages; a and b are fitted on messages the model did not train on. The shrink
 * pulls a message that says little the model knows ("Hello.") towards 0.5: a Fisher score combined from two or
 * three tokens is extreme, so without it such messages score confidently on next to no evidence. (The margin's
 * counterpart is MIN_NORM_FEATURES in vectorize.)
 */
export interface Calibration {
  a: number;
  b: number;
  /** Evidence prior: known buckets needed for full weight (0: no shrink). */
  k: number;
}

/**
 * The evidence prior: a message needs this many known buckets for its Fisher evidence and the offset to count
 * in full. It is a prior, not fitted: a training corpus has too few messages with little evidence to fit it
 * (fitted by held-out log loss on the development corpus it goes to 0). 40 is the smaller of 24, 40, 64 that
 * keeps "Hello." and a one-line business mail below BAYES_SPAM 1; nearly every corpus message has more known
 * buckets, so it costs little recall (92.7% against 92.9% at FP <= 0.1% with 24, see the README).
 */
export const EVIDENCE_PRIOR = 40;

/** A bucket is known evidence once this many training messages had it. */
export const MIN_KNOWN_COUNT = 2;

/** The calibration of a model trained on too few messages to fit a and b. */
export const UNCALIBRATED: Calibration = { a: 1, b: 0, k: EVIDENCE_PRIOR };

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
    calibration: { ...UNCALIBRATED },
  };
  model.version = modelVersion(model);
  return model;
}

/**
 * Each group is scaled as if it had at least this many features: a short message's few features would otherwise
 * each get a large value, and its margin would be as confident as a long message's on far less evidence.
 */
const MIN_NORM_FEATURES = 30;

/**
 * Hashes features into buckets with binary presence values, the body words and the rest each scaled to unit
 * norm on their own (or less, for groups under MIN_NORM_FEATURES) (a bucket hit by both, a hash collision, sums them); body and meta buckets are also the
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
  const bodyValue = 1 / Math.sqrt(Math.max(body.size, MIN_NORM_FEATURES));
  for (const b of body) values.set(b, bodyValue);
  const rest = new Set([...meta, ...structure]);
  const restValue = 1 / Math.sqrt(Math.max(rest.size, MIN_NORM_FEATURES));
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

/** The uncalibrated parts of a message's score: the regression margin, the weighted Fisher log-odds and how much known evidence it has. */
export interface ScoreParts {
  margin: number;
  fisher: number;
  known: number;
}

export function scoreParts(model: Pick<SpamModel, 'weights' | 'bias' | 'counts'>, x: FeatureVector): ScoreParts {
  const f = Math.min(1 - FISHER_CLAMP, Math.max(FISHER_CLAMP, fisherScore(model.counts, x.evidence)));
  let known = 0;
  for (let k = 0; k < x.evidence.length; k++) if (model.counts.spam[x.evidence[k]] + model.counts.ham[x.evidence[k]] >= MIN_KNOWN_COUNT) known++;
  return { margin: regressionMargin(model, x), fisher: FISHER_WEIGHT * Math.log(f / (1 - f)), known };
}

/** The evidence shrink factor in (0, 1]. */
export function evidenceShrink(known: number, k: number): number {
  return k > 0 ? Math.min(1, known / k) : 1;
}

/** The calibration's inputs for a and b: the margin plus the shrunk Fisher log-odds, and the shrunk offset. */
export function shrunkRow(p: ScoreParts, k: number): [number, number] {
  const s = evidenceShrink(p.known, k);
  return [p.margin + s * p.fisher, s];
}

/** Calibrated log-odds from the score parts. */
export function calibratedLogOdds(c: Calibration, p: ScoreParts): number {
  const [score, offset] = shrunkRow(p, c.k);
  return c.a * score + c.b * offset;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Calibrated log-odds of spam: unlike the probability, it does not saturate, so it ranks every message. */
export function logOdds(model: SpamModel, x: FeatureVector): number {
  return calibratedLogOdds(model.calibration, scoreParts(model, x));
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
