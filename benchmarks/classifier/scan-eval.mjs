#!/usr/bin/env node
// The product row of run.mjs on its own: `moat train` + `moat scan --json` on the same folds, for looking at one
// split quickly (--seed N) or at what ranks where (--dump). run.mjs puts the same row beside SpamAssassin's.
// Usage: node benchmarks/classifier/scan-eval.mjs [--folds 5] [--seed 1] [--max-fp 0.001]
//   [--out FILE]: also appends the figures as a table to FILE
//   [--dump FILE]: also writes every held-out result (corpus file, label, fold, rank, log-odds, symbols) as JSON lines
// (build first: npm run build)
import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ensureCorpus, loadCorpus, stratifiedFolds } from './corpus.mjs';
import { recallAtFpRate, summarise } from './metrics.mjs';
import { evaluateProduct } from './product.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    'corpus-tar': { type: 'string', default: resolve(repoRoot, '../shared/corpus/spamassassin-dev.tar.gz') },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'max-fp': { type: 'string', default: '0.001' },
    out: { type: 'string' },
    dump: { type: 'string' },
  },
});
const k = Number(opt.folds);
const seed = Number(opt.seed);
const maxFp = Number(opt['max-fp']);
const log = (s) => process.stderr.write(`${s}\n`);

const started = Date.now();
const messages = loadCorpus(ensureCorpus(repoRoot, opt['corpus-tar']));
log(`corpus: ${messages.length} messages, ${k} folds, seed ${seed}`);
const results = await evaluateProduct(messages, stratifiedFolds(messages, k, seed), k, { moat: join(repoRoot, 'apps/cli/bin/moat.js'), log });
if (opt.dump) writeFileSync(opt.dump, results.flatMap((r) => r.entries.map((e) => JSON.stringify(e))).join('\n') + '\n');

const s = summarise('product', results, 'the verdict', maxFp);
const bayesOnly = recallAtFpRate(results.flatMap((r) => r.spamLogOdds), results.flatMap((r) => r.hamLogOdds), maxFp);
const pct = (x) => `${(x * 100).toFixed(2)}%`;
const lines = [
  '',
  `## The product alone, seed ${seed} (${new Date().toISOString().slice(0, 10)})`,
  '',
  '```',
  `npm run build && node benchmarks/classifier/scan-eval.mjs${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`,
  '```',
  '',
  `| seed | recall at FP ≤ ${maxFp * 100}% (pooled held-out) | FPs there | mean per-fold recall | recall at default threshold | FPs at default threshold | AUC | classifier alone: recall at FP ≤ ${maxFp * 100}% | CPU ms / message |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  `| ${seed} | **${pct(s.pooled.recall)}** | ${s.pooled.falsePositives} of ${s.scored.ham} | ${pct(s.perFoldMean)} | ${pct(s.atDefault.recall)} | ${s.atDefault.falsePositives} of ${s.scored.ham} | ${s.auc.toFixed(5)} | ${pct(bayesOnly.recall)} | ${s.cpuMsPerMessage.toFixed(2)} |`,
  '',
  `Total run time ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
  '',
];
if (opt.out) appendFileSync(opt.out, lines.join('\n'));
log(lines.join('\n'));
