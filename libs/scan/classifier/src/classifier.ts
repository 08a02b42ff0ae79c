import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { logOdds, sigmoid, vectorize, type SpamModel } from './model.js';
import { deserializeModel } from './serialize.js';
import { probabilitySymbols, type ClassifierSymbol, type SymbolScores } from './symbols.js';
import { tokenizeMessage } from './tokenize.js';

export interface ClassifyResult {
  /** Calibrated probability that the message is spam. */
  probability: number;
  /** The same as calibrated log-odds (ranks messages where the probability rounds to 0 or 1). */
  logOdds: number;
  symbols: ClassifierSymbol[];
  modelVersion: string;
}

/** The model shipped with Moat, trained only on the development corpus (model/moat-default.model). */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../model/moat-default.model', import.meta.url));

let defaultModel: SpamModel | undefined;

/** Loads the shipped model once (synchronously: it is read at start-up, before any message). */
export function loadDefaultModel(): SpamModel {
  defaultModel ??= deserializeModel(readFileSync(DEFAULT_MODEL_PATH));
  return defaultModel;
}

/**
 * Scores a raw message: its spam probability and the symbol (BAYES_SPAM or BAYES_HAM) that says so, scored
 * up to `scores` (default 6 and 3).
 */
export function classify(raw: Buffer, model: SpamModel = loadDefaultModel(), scores?: SymbolScores): ClassifyResult {
  const z = logOdds(model, vectorize(tokenizeMessage(raw), model.features.hashBits));
  const p = sigmoid(z);
  return { probability: p, logOdds: z, symbols: probabilitySymbols(p, model.version, scores, z), modelVersion: model.version };
}
