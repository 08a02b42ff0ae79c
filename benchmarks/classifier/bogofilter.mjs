// bogofilter (Debian package) on the same folds: trained with -s/-n on the training fold in its own
// database directory, then scoring the held-out fold in bulk mode (-B) with 16-digit scores (-TT).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunks, run, waitedChildrenCpuMs } from './proc.mjs';

export async function bogofilterCutoff() {
  const out = await run('bogofilter', ['-Q']);
  return Number(/spam_cutoff\s*=\s*([\d.]+)/.exec(out)[1]);
}

export async function evaluateBogofilter(messages, folds, k) {
  const cutoff = await bogofilterCutoff();
  const results = [];
  for (let fold = 0; fold < k; fold++) {
    const db = mkdtempSync(join(tmpdir(), 'moat-bench-bogo-'));
    try {
      const train = messages.filter((_, i) => folds[i] !== fold);
      for (const [flag, spam] of [['-s', true], ['-n', false]]) {
        for (const part of chunks(train.filter((m) => m.spam === spam).map((m) => m.file))) await run('bogofilter', ['-d', db, flag, '-B', ...part]);
      }
      const test = messages.filter((_, i) => folds[i] === fold);
      const score = new Map();
      const cpu0 = waitedChildrenCpuMs();
      for (const part of chunks(test.map((m) => m.file))) {
        // Exit codes: 0 spam, 1 ham, 2 unsure (3 is an error).
        const out = await run('bogofilter', ['-d', db, '-TT', '-B', ...part], { okCodes: [0, 1, 2] });
        for (const line of out.trim().split('\n')) {
          const m = /^(.*) ([\d.]+)$/.exec(line);
          if (m) score.set(m[1], Number(m[2]));
        }
      }
      const cpuMsPerMessage = (waitedChildrenCpuMs() - cpu0) / test.length;
      const missing = test.filter((m) => !score.has(m.file));
      if (missing.length) throw new Error(`bogofilter gave no score for ${missing.length} messages, e.g. ${missing[0].file}`);
      results.push({
        fold,
        spamScores: test.filter((m) => m.spam).map((m) => score.get(m.file)),
        hamScores: test.filter((m) => !m.spam).map((m) => score.get(m.file)),
        cpuMsPerMessage,
        isSpamByDefault: (s) => s >= cutoff,
      });
    } finally {
      rmSync(db, { recursive: true, force: true });
    }
  }
  return { results, defaultRule: `spamicity >= ${cutoff} (spam_cutoff of the Debian package)` };
}

/**
 * TREC immediate feedback: each message in the given order is scored (`bogofilter -TT -I`), then registered
 * with its label (`-s` / `-n`) before the next one, starting from an empty database (scored 0.52, bogofilter's
 * robx, until it has one).
 */
export async function evaluateBogofilterOnline(ordered) {
  const cutoff = await bogofilterCutoff();
  const db = mkdtempSync(join(tmpdir(), 'moat-bench-bogo-online-'));
  try {
    const scores = [];
    const cpu0 = waitedChildrenCpuMs();
    let registered = false;
    for (const m of ordered) {
      if (!registered) scores.push(0.52);
      else {
        const out = await run('bogofilter', ['-d', db, '-TT', '-I', m.file], { okCodes: [0, 1, 2] });
        scores.push(Number(out.trim()));
      }
      await run('bogofilter', ['-d', db, m.spam ? '-s' : '-n', '-I', m.file]);
      registered = true;
    }
    const cpuMsPerMessage = (waitedChildrenCpuMs() - cpu0) / ordered.length;
    return { scores, cpuMsPerMessage, isSpamByDefault: (s) => s >= cutoff, defaultRule: `spamicity >= ${cutoff} (spam_cutoff)` };
  } finally {
    rmSync(db, { recursive: true, force: true });
  }
}
