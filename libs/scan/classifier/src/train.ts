import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fitLogistic } from './calibration.js';
import { DEFAULT_FTRL, trainFtrl, type Example, type FtrlOptions } from './ftrl.js';
import { countMessage, emptyCounts, type TokenCounts } from './fisher.js';
import { emptyModel, EVIDENCE_PRIOR, logOdds, modelVersion, probability, scoreParts, shrunkRow, UNCALIBRATED, vectorize, type Calibration, type ScoreParts, type SpamModel } from './model.js';
import { seededShuffle } from './random.js';
import { tokenizeMessage } from './tokenize.js';

export const DEFAULT_HASH_BITS = 20;

export interface TrainOptions {
  hashBits?: number;
  ftrl?: Partial<FtrlOptions>;
  /** Share of each class held out to fit the probability calibration before the final fit on everything. */
  calibrationShare?: number;
}

export interface LabelledMessage {
  raw: Buffer;
  spam: boolean;
}

export class TrainingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingInputError';
  }
}

/** Turns messages into training examples (tokenise + hash once; reused by every fit). */
export function toExamples(messages: LabelledMessage[], hashBits = DEFAULT_HASH_BITS): Example[] {
  return messages.map((m) => ({ x: vectorize(tokenizeMessage(m.raw), hashBits), spam: m.spam }));
}

/**
 * Trains a calibrated model: first on most of the data to fit the calibration on the held-out rest, then
 * on all of it. Deterministic for the same messages (in the same order) and options.
 */
export function trainModel(messages: LabelledMessage[], opts: TrainOptions = {}): SpamModel {
  const hashBits = opts.hashBits ?? DEFAULT_HASH_BITS;
  return trainOnExamples(toExamples(messages, hashBits), hashBits, opts);
}

export function trainOnExamples(examples: Example[], hashBits: number, opts: TrainOptions = {}): SpamModel {
  const spam = examples.filter((e) => e.spam).length;
  const ham = examples.length - spam;
  if (spam === 0 || ham === 0) throw new TrainingInputError(`training needs spam and ham (got ${spam} spam, ${ham} ham)`);
  const ftrl = { ...DEFAULT_FTRL, ...opts.ftrl };
  const share = opts.calibrationShare ?? 0.2;

  const calibrationSet = new Set<Example>();
  for (const label of [true, false]) {
    const ofLabel = seededShuffle(
      examples.filter((e) => e.spam === label),
      ftrl.seed,
    );
    for (const e of ofLabel.slice(0, Math.floor(ofLabel.length * share))) calibrationSet.add(e);
  }
  const model = emptyModel(hashBits);
  // Calibration needs held-out messages of both classes; with fewer the raw score stays uncalibrated.
  const heldSpam = [...calibrationSet].filter((e) => e.spam).length;
  if (heldSpam > 0 && heldSpam < calibrationSet.size) {
    const fit = examples.filter((e) => !calibrationSet.has(e));
    const probe: SpamModel = { ...model, ...trainFtrl(fit, hashBits, ftrl), counts: countAll(fit, hashBits) };
    const held = [...calibrationSet];
    model.calibration = fitCalibration(
      held.map((e) => scoreParts(probe, e.x)),
      held.map((e) => e.spam),
    );
  }
  Object.assign(model, trainFtrl(examples, hashBits, ftrl));
  model.counts = countAll(examples, hashBits);
  model.version = modelVersion(model);
  return model;
}

/** Fits a and b of the calibration on held-out score parts, the evidence prior fixed. */
function fitCalibration(parts: ScoreParts[], spam: boolean[]): Calibration {
  const rows = parts.map((p) => shrunkRow(p, EVIDENCE_PRIOR));
  const [a, b] = fitLogistic(rows, spam, [UNCALIBRATED.a, UNCALIBRATED.b]).weights;
  return { a, b, k: EVIDENCE_PRIOR };
}

function countAll(examples: Example[], hashBits: number): TokenCounts {
  const counts = emptyCounts(1 << hashBits);
  for (const e of examples) countMessage(counts, e.x.evidence, e.spam);
  return counts;
}

/** Every regular file under `dir` (recursively, symlinks followed), sorted, so that training order is reproducible. */
export async function listMessageFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    throw new TrainingInputError(`cannot read message directory ${dir}: ${(err as Error).message}`);
  }
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(e.parentPath, e.name);
    if (e.isFile() || (e.isSymbolicLink() && (await stat(path)).isFile())) files.push(path);
  }
  return files.sort();
}

const MAX_TRAINING_MESSAGE_BYTES = 50 * 1024 * 1024;

async function readMessages(dirs: string[], spam: boolean): Promise<LabelledMessage[]> {
  const out: LabelledMessage[] = [];
  for (const dir of dirs) {
    for (const file of await listMessageFiles(dir)) {
      if ((await stat(file)).size > MAX_TRAINING_MESSAGE_BYTES) continue;
      out.push({ raw: await readFile(file), spam });
    }
  }
  return out;
}

/** What `moat train --spam DIR --ham DIR` calls: every file under the directories is one raw message. */
export async function train(opts: { spamDirs: string[]; hamDirs: string[] } & TrainOptions): Promise<SpamModel> {
  const messages = [...(await readMessages(opts.spamDirs, true)), ...(await readMessages(opts.hamDirs, false))];
  return trainModel(messages, opts);
}

/** A reported message ends up at least this sure on the reported side. */
const LEARN_TARGET = 0.95;

/**
 * Learns one reported message ("report spam" / "not spam") in place: its tokens are counted for the Fisher
 * evidence, then, if the model is still less than 95% sure of the reported side, its regression weights move
 * along the message's own features just far enough to get there (the score is linear in them, so one step
 * does it). Returns the message's spam probability before and after.
 */
export function learnMessage(model: SpamModel, raw: Buffer, spam: boolean): { before: number; after: number } {
  const x = vectorize(tokenizeMessage(raw), model.features.hashBits);
  const before = probability(model, x);
  countMessage(model.counts, x.evidence, spam);
  const target = Math.log(LEARN_TARGET / (1 - LEARN_TARGET)) * (spam ? 1 : -1);
  const current = logOdds(model, x);
  // The calibrated log-odds move by a times the change of the regression margin.
  const slope = model.calibration.a;
  if ((spam ? current < target : current > target) && slope > 0) {
    let norm2 = 1; // the bias moves too
    for (let k = 0; k < x.values.length; k++) norm2 += x.values[k] * x.values[k];
    // Aim a little past the target so that float32 rounding of the weights cannot leave it just short.
    const step = (target + (spam ? 0.05 : -0.05) - current) / (slope * norm2);
    for (let k = 0; k < x.indices.length; k++) model.weights[x.indices[k]] += step * x.values[k];
    model.bias += step;
  }
  model.version = modelVersion(model);
  return { before, after: probability(model, x) };
}
