#!/usr/bin/env node
// Moat's classifier over several fold splits of the corpus: one split's recall at FP <= 0.1% moves by a point
// with one ham at the threshold, so feature changes are judged on the mean over many. Same folds as run.mjs
// for each seed; training and scoring only (no inner threshold, no CPU timing), so it is quick.
//
// Usage: node benchmarks/classifier/splits.mjs [--seeds 1-8] [--folds 5] [--corpus-tar PATH]
// (build the library first: npm run build -w @moat/classifier)
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { logOdds, toExamples, trainOnExamples } from '../../libs/scan/classifier/dist/index.js';
import { ensureCorpus, loadCorpus, stratifiedFolds } from './corpus.mjs';
import { recallAtFpRate } from './metrics.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1-8' },
    folds: { type: 'string', default: '5' },
    'corpus-tar': { type: 'string', default: resolve(repoRoot, '../shared/corpus/spamassassin-dev.tar.gz') },
  },
});
const [first, last = first] = opt.seeds.split('-').map(Number);
const k = Number(opt.folds);
const FP_RATES = [0.001, 0.003, 0.01];

const messages = loadCorpus(ensureCorpus(repoRoot, opt['corpus-tar']));
const hashBits = 20;
const examples = toExamples(messages, hashBits);
const rows = [];
for (let seed = first; seed <= last; seed++) {
  const folds = stratifiedFolds(messages, k, seed);
  const spam = [];
  const ham = [];
  for (let fold = 0; fold < k; fold++) {
    const model = trainOnExamples(examples.filter((_, i) => folds[i] !== fold), hashBits);
    examples.forEach((e, i) => {
      if (folds[i] === fold) (e.spam ? spam : ham).push(logOdds(model, e.x));
    });
  }
  const recalls = FP_RATES.map((rate) => recallAtFpRate(spam, ham, rate).recall);
  rows.push(recalls);
  console.log(`seed ${seed}: ${recalls.map((r, j) => `FP <= ${FP_RATES[j] * 100}% ${(r * 100).toFixed(2)}%`).join('  ')}`);
}
const mean = FP_RATES.map((_, j) => rows.reduce((sum, r) => sum + r[j], 0) / rows.length);
console.log(`mean of seeds ${first}-${last}: ${mean.map((r, j) => `FP <= ${FP_RATES[j] * 100}% ${(r * 100).toFixed(2)}%`).join('  ')}`);
