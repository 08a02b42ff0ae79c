#!/usr/bin/env node
// The classifier measured through the product: for each fold, `moat train --out` on the other folds, then
// `moat scan --json --model` on the held-out fold, as an administrator would run them. Same corpus, seed and
// fold assignment as run.mjs, so the figures sit beside the SpamAssassin and bogofilter rows of that run.
// Usage: node benchmarks/classifier/scan-eval.mjs [--folds 5] [--seed 1] [--max-fp 0.001] [--out FILE]
//   [--dump FILE]: also writes every held-out result (corpus file, label, rank, symbols) as JSON lines, to see what ranks where
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ensureCorpus, loadCorpus, stratifiedFolds } from './corpus.mjs';
import { atThreshold, auc, recallAtFpRate } from './metrics.mjs';
import { run, waitedChildrenCpuMs } from './proc.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    'corpus-tar': { type: 'string', default: resolve(repoRoot, '../shared/corpus/spamassassin-dev.tar.gz') },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'max-fp': { type: 'string', default: '0.001' },
    out: { type: 'string', default: join(repoRoot, 'benchmarks/RESULTS-classifier.md') },
    dump: { type: 'string' },
  },
});
const k = Number(opt.folds);
const seed = Number(opt.seed);
const maxFp = Number(opt['max-fp']);
const moat = join(repoRoot, 'apps/cli/bin/moat.js');
const log = (s) => process.stderr.write(`${s}\n`);

/** Runs `moat ARGS` to completion; returns its stdout and the CPU ms it used (it is waited for, so it counts as a child). */
async function moatRun(args) {
  const before = waitedChildrenCpuMs();
  const stdout = await run(process.execPath, [moat, ...args]);
  return { stdout, cpuMs: waitedChildrenCpuMs() - before };
}

/**
 * The score a message is ranked by: the verdict's score (every check, rounded to 0.01), ties within it broken
 * by the classifier's log-odds from the BAYES_* detail (the score saturates at p = 1, the log-odds do not).
 */
function rankOf(result) {
  return result.score + 0.004 * Math.tanh(logOddsOf(result) / 50);
}

/** The classifier's calibrated log-odds, from the detail of its BAYES_SPAM / BAYES_HAM symbol. */
function logOddsOf(result) {
  const bayes = result.symbols.find((s) => s.name === 'BAYES_SPAM' || s.name === 'BAYES_HAM');
  const match = /log-odds (-?[\d.]+)/.exec(bayes?.detail ?? '');
  if (!match) throw new Error(`${result.file}: no classifier log-odds in ${JSON.stringify(bayes)}`);
  return Number(match[1]);
}

const started = Date.now();
const corpusDir = ensureCorpus(repoRoot, opt['corpus-tar']);
const messages = loadCorpus(corpusDir);
const folds = stratifiedFolds(messages, k, seed);
log(`corpus: ${messages.length} messages, ${k} folds, seed ${seed}`);

const work = mkdtempSync(join(tmpdir(), 'moat-scan-eval-'));
const spam = [];
const ham = [];
const dumped = [];
const perFold = [];
let scanCpuMs = 0;
let scanned = 0;
let trainMs = 0;
try {
  for (let f = 0; f < k; f++) {
    const dir = join(work, `fold${f}`);
    for (const sub of ['spam', 'ham', 'test']) mkdirSync(join(dir, sub), { recursive: true });
    const label = new Map();
    const corpusFile = new Map();
    messages.forEach((m, i) => {
      if (folds[i] === f) {
        const link = join(dir, 'test', `${i}.eml`);
        symlinkSync(m.file, link);
        label.set(link, m.spam);
        corpusFile.set(link, m.file);
      } else symlinkSync(m.file, join(dir, m.spam ? 'spam' : 'ham', `${i}.eml`));
    });
    const model = join(dir, 'fold.model');
    const t0 = Date.now();
    await moatRun(['train', '--spam', join(dir, 'spam'), '--ham', join(dir, 'ham'), '--out', model]);
    trainMs += Date.now() - t0;

    // Start-up (Node, policy, model load) measured on one message and taken off the fold's CPU time.
    const one = [...label.keys()][0];
    const startup = await moatRun(['scan', '--json', '--model', model, one]);
    const fold = await moatRun(['scan', '--json', '--model', model, join(dir, 'test')]);
    const results = fold.stdout.trim().split('\n').map((line) => JSON.parse(line));
    if (results.length !== label.size) throw new Error(`fold ${f + 1}: moat scan gave ${results.length} results for ${label.size} messages`);
    scanCpuMs += fold.cpuMs - startup.cpuMs;
    scanned += results.length - 1;
    const foldSpam = [];
    const foldHam = [];
    for (const r of results) {
      const entry = { rank: rankOf(r), logOdds: logOddsOf(r), flagged: r.action !== 'deliver' };
      (label.get(r.file) ? foldSpam : foldHam).push(entry);
      if (opt.dump) dumped.push(JSON.stringify({ file: basename(corpusFile.get(r.file)), spam: label.get(r.file), fold: f + 1, rank: entry.rank, logOdds: entry.logOdds, symbols: r.symbols }));
    }
    spam.push(...foldSpam);
    ham.push(...foldHam);
    perFold.push(recallAtFpRate(foldSpam.map((e) => e.rank), foldHam.map((e) => e.rank), maxFp).recall);
    log(`fold ${f + 1}/${k}: ${results.length} scanned, recall at FP <= ${maxFp * 100}% ${(perFold.at(-1) * 100).toFixed(2)}%`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (opt.dump) writeFileSync(opt.dump, dumped.join('\n') + '\n');
const pct = (x) => `${(x * 100).toFixed(2)}%`;
const pooled = recallAtFpRate(spam.map((e) => e.rank), ham.map((e) => e.rank), maxFp);
const bayesOnly = recallAtFpRate(spam.map((e) => e.logOdds), ham.map((e) => e.logOdds), maxFp);
const flagged = atThreshold(spam, ham, (e) => e.flagged);
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const lines = [
  '',
  `## Through the product: \`moat train\` + \`moat scan --json\` (${new Date().toISOString().slice(0, 10)})`,
  '',
  '```',
  'npm run build && node benchmarks/classifier/scan-eval.mjs',
  '```',
  '',
  `The same ${k} folds (seed ${seed}) as the table above. For each fold: \`moat train --spam DIR --ham DIR --out fold.model\` on the other ${k - 1} folds (files symlinked into temporary directories), then \`moat scan --json --model fold.model\` on the held-out fold, with no envelope (content checks only) and the offline default policy, the classifier turned on by \`--model\`. A message is ranked by its verdict score (ties broken by the classifier's log-odds from the BAYES_* detail); "default threshold" is the verdict itself: anything but \`deliver\` (score >= 5, the tag threshold) counts as caught. Total run time ${minutes} min.`,
  '',
  `| system | recall at FP ≤ ${maxFp * 100}% (pooled held-out) | FPs there | mean per-fold recall at FP ≤ ${maxFp * 100}% | recall at default threshold | FP rate at default threshold | AUC | CPU ms / message |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  `| Moat, \`moat scan --json --model\` after \`moat train\` | **${pct(pooled.recall)}** | ${pooled.falsePositives} of ${ham.length} | ${pct(perFold.reduce((a, b) => a + b, 0) / k)} | ${pct(flagged.recall)} | ${pct(flagged.fpRate)} (${flagged.falsePositives}) | ${auc(spam.map((e) => e.rank), ham.map((e) => e.rank)).toFixed(5)} | ${(scanCpuMs / scanned).toFixed(2)} |`,
  '',
  `Ranked by the classifier's symbol alone (its log-odds from the same scan output, the other checks' scores left out), recall at FP ≤ ${maxFp * 100}% is ${pct(bayesOnly.recall)} (${bayesOnly.falsePositives} FPs of ${ham.length}), AUC ${auc(spam.map((e) => e.logOdds), ham.map((e) => e.logOdds)).toFixed(5)}: the difference to the verdict score is what the other content checks add or cost on this corpus.`,
  '',
  `CPU ms / message: CPU time of the \`moat scan\` process per held-out message (the whole offline pipeline: MIME parse, attachment walk, header and phishing checks, classifier), less its start-up, measured as the same scan of one message. \`moat train\` took ${(trainMs / k / 1000).toFixed(1)} s per fold (reading, tokenising and training about ${Math.round((messages.length * (k - 1)) / k)} messages).`,
  '',
];
appendFileSync(opt.out, lines.join('\n'));
log(lines.join('\n'));
