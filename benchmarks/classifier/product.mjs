// Moat through the product on the folds: for each fold, `moat train --out` on the other folds, then
// `moat scan --json --model` on the held-out fold, as an administrator would run them (needs `npm run build`).
import { basename, join } from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { run, waitedChildrenCpuMs } from './proc.mjs';

/** Runs `moat ARGS` to completion; returns its stdout and the CPU ms it used (it is waited for, so it counts as a child). */
async function moatRun(moat, args) {
  const before = waitedChildrenCpuMs();
  const stdout = await run(process.execPath, [moat, ...args]);
  return { stdout, cpuMs: waitedChildrenCpuMs() - before };
}

/** The classifier's calibrated log-odds, from the detail of its BAYES_SPAM / BAYES_HAM symbol. */
function logOddsOf(result) {
  const bayes = result.symbols.find((s) => s.name === 'BAYES_SPAM' || s.name === 'BAYES_HAM');
  const match = /log-odds (-?[\d.]+)/.exec(bayes?.detail ?? '');
  if (!match) throw new Error(`${result.file}: no classifier log-odds in ${JSON.stringify(bayes)}`);
  return Number(match[1]);
}

/**
 * The score a message is ranked by: the verdict's score (every check, rounded to 0.01), ties within it broken
 * by the classifier's log-odds (the score saturates at p = 1, the log-odds do not).
 */
const rankOf = (result, logOdds) => result.score + 0.004 * Math.tanh(logOdds / 50);

/**
 * Returns per fold the held-out ranks (spamScores / hamScores, as the other systems' results), the classifier's
 * log-odds alone, how many of each class the verdict itself caught (anything but `deliver`), the CPU ms of
 * `moat scan` per message less its start-up, the training wall time, and every held-out result.
 */
export async function evaluateProduct(messages, folds, k, { moat, log }) {
  const work = mkdtempSync(join(tmpdir(), 'moat-scan-eval-'));
  const results = [];
  try {
    for (let f = 0; f < k; f++) {
      const dir = join(work, `fold${f}`);
      for (const sub of ['spam', 'ham', 'test']) mkdirSync(join(dir, sub), { recursive: true });
      const held = new Map();
      messages.forEach((m, i) => {
        if (folds[i] === f) {
          const link = join(dir, 'test', `${i}.eml`);
          symlinkSync(m.file, link);
          held.set(link, m);
        } else symlinkSync(m.file, join(dir, m.spam ? 'spam' : 'ham', `${i}.eml`));
      });
      const model = join(dir, 'fold.model');
      const t0 = Date.now();
      await moatRun(moat, ['train', '--spam', join(dir, 'spam'), '--ham', join(dir, 'ham'), '--out', model]);
      const trainMs = Date.now() - t0;

      // Start-up (Node, policy, model load) measured on one message and taken off the fold's CPU time.
      const startup = await moatRun(moat, ['scan', '--json', '--model', model, [...held.keys()][0]]);
      const scan = await moatRun(moat, ['scan', '--json', '--model', model, join(dir, 'test')]);
      const scanned = scan.stdout.trim().split('\n').map((line) => JSON.parse(line));
      if (scanned.length !== held.size) throw new Error(`fold ${f + 1}: moat scan gave ${scanned.length} results for ${held.size} messages`);
      const fold = { spamScores: [], hamScores: [], spamLogOdds: [], hamLogOdds: [], caught: { spam: 0, ham: 0 }, entries: [], trainMs };
      fold.cpuMsPerMessage = (scan.cpuMs - startup.cpuMs) / (scanned.length - 1);
      for (const r of scanned) {
        const m = held.get(r.file);
        const logOdds = logOddsOf(r);
        const rank = rankOf(r, logOdds);
        const label = m.spam ? 'spam' : 'ham';
        fold[`${label}Scores`].push(rank);
        fold[`${label}LogOdds`].push(logOdds);
        if (r.action !== 'deliver') fold.caught[label]++;
        fold.entries.push({ file: basename(m.file), spam: m.spam, fold: f + 1, rank, logOdds, symbols: r.symbols });
      }
      results.push(fold);
      log(`  fold ${f + 1}/${k}: trained in ${(trainMs / 1000).toFixed(1)} s, ${scanned.length} scanned`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return results;
}
