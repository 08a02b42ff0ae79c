// SpamAssassin (Debian package) on the same folds: local tests only (-L, no network), its Bayes trained with
// sa-learn on the training fold in a temporary site config and database, auto-learning off. Messages are
// scored through spamd/spamc (the same engine and rules as `spamassassin -L`, without paying Perl start-up
// and rule compilation for every message, which takes over a second each).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededShuffle } from '../../libs/scan/classifier/dist/index.js';
import { childPids, chunks, mapLimit, processCpuMs, run } from './proc.mjs';

const SITE_CONFIG = '/etc/spamassassin';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A private site config: Debian's plugin loads (*.pre) plus a local.cf that points Bayes at `dir`. */
function siteConfig(dir) {
  const site = join(dir, 'site');
  mkdirSync(site);
  for (const f of readdirSync(SITE_CONFIG).filter((f) => f.endsWith('.pre'))) copyFileSync(join(SITE_CONFIG, f), join(site, f));
  writeFileSync(
    join(site, 'local.cf'),
    [
      'use_bayes 1',
      'bayes_auto_learn 0',
      'bayes_auto_expire 0',
      `bayes_path ${join(dir, 'bayes', 'bayes')}`,
      'bayes_file_mode 0777',
      'report_safe 0',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'bayes'));
  writeFileSync(join(dir, 'user_prefs'), '');
  return site;
}

async function startSpamd(dir, site, extraArgs = []) {
  const port = await freePort();
  const spamd = spawn(
    'spamd',
    ['-L', `--siteconfigpath=${site}`, '--nouser-config', '-u', 'nobody', '-H', dir, '-i', '127.0.0.1', '-p', String(port), '-m', '2', '--max-conn-per-child=1000000', '-s', join(dir, 'spamd.log'), ...extraArgs],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (spamd.exitCode !== null) throw new Error(`spamd exited ${spamd.exitCode} (log: ${join(dir, 'spamd.log')})`);
    try {
      await run('spamc', ['-d', '127.0.0.1', '-p', String(port), '-K']);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        spamd.kill('SIGTERM');
        throw new Error(`spamd did not answer within 180 s: ${err.message}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  // spamd outlives us unless told: stop it if the benchmark is interrupted.
  const stop = () => spamd.kill('SIGTERM');
  const interrupted = () => {
    stop();
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted).once('exit', stop);
  spamd.once('exit', () => process.off('SIGINT', interrupted).off('SIGTERM', interrupted).off('exit', stop));
  // Wait until both preforked children are up, so that their start-up is not counted as scanning CPU.
  while (childPids(spamd.pid).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return { spamd, port };
}

function spamdCpuMs(pid) {
  return processCpuMs(pid) + childPids(pid).reduce((sum, c) => sum + processCpuMs(c), 0);
}

async function stopSpamd(spamd) {
  if (spamd && spamd.spamd.exitCode === null) {
    const exited = new Promise((r) => spamd.spamd.once('exit', r));
    spamd.spamd.kill('SIGTERM');
    await exited;
  }
}

/**
 * TREC immediate feedback: each message in the given order is scored (`spamc -c`), then its label is learned
 * (`spamc -L spam|ham`, spamd started with --allow-tell) before the next one, starting from an empty Bayes
 * database. SpamAssassin's Bayes stays silent until it has learned 200 spam and 200 ham (bayes_min_*_num);
 * its rules score from the first message.
 */
export async function evaluateSpamAssassinOnline(ordered, { log = () => undefined } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'moat-bench-sa-online-'));
  let spamd;
  try {
    const site = siteConfig(dir);
    await run('chmod', ['-R', 'a+rwX', dir]);
    spamd = await startSpamd(dir, site, ['--allow-tell']);
    const cpu0 = spamdCpuMs(spamd.spamd.pid);
    const t0 = Date.now();
    const scores = [];
    let required;
    for (const [i, m] of ordered.entries()) {
      const out = await run('spamc', ['-d', '127.0.0.1', '-p', String(spamd.port), '-c'], { input: m.raw, okCodes: [0, 1] });
      const parsed = /^(-?[\d.]+)\/([\d.]+)/.exec(out.trim());
      if (!parsed) throw new Error(`unexpected spamc output for ${m.file}: ${out}`);
      required = Number(parsed[2]);
      scores.push(Number(parsed[1]));
      await run('spamc', ['-d', '127.0.0.1', '-p', String(spamd.port), '-L', m.spam ? 'spam' : 'ham'], { input: m.raw, okCodes: [0, 5, 6] });
      if ((i + 1) % 500 === 0) log(`  SpamAssassin immediate: ${i + 1}/${ordered.length} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    const cpuMsPerMessage = (spamdCpuMs(spamd.spamd.pid) - cpu0) / ordered.length;
    return { scores, cpuMsPerMessage, isSpamByDefault: (s) => s >= required, defaultRule: `score >= ${required} (required_score)` };
  } finally {
    await stopSpamd(spamd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `sample`: score at most this many held-out messages per fold (seeded, stratified); 0 = all.
 * `log`: progress callback.
 */
export async function evaluateSpamAssassin(messages, folds, k, { sample = 0, seed = 1, log = () => undefined } = {}) {
  const results = [];
  let required;
  for (let fold = 0; fold < k; fold++) {
    const dir = mkdtempSync(join(tmpdir(), 'moat-bench-sa-'));
    let spamd;
    try {
      const site = siteConfig(dir);
      const learnArgs = ['-L', `--siteconfigpath=${site}`, '-p', join(dir, 'user_prefs'), '--no-sync'];
      const train = messages.filter((_, i) => folds[i] !== fold);
      const t0 = Date.now();
      for (const [flag, spam] of [['--spam', true], ['--ham', false]]) {
        for (const part of chunks(train.filter((m) => m.spam === spam).map((m) => m.file))) await run('sa-learn', [...learnArgs, flag, ...part]);
      }
      await run('sa-learn', [`--siteconfigpath=${site}`, '-p', join(dir, 'user_prefs'), '--sync']);
      await run('chmod', ['-R', 'a+rwX', dir]);
      log(`  SpamAssassin fold ${fold + 1}/${k}: sa-learn on ${train.length} messages took ${((Date.now() - t0) / 1000).toFixed(0)} s`);

      let test = messages.filter((_, i) => folds[i] === fold);
      if (sample > 0 && sample < test.length) {
        const spamShare = test.filter((m) => m.spam).length / test.length;
        const nSpam = Math.round(sample * spamShare);
        test = [
          ...seededShuffle(test.filter((m) => m.spam), seed + fold).slice(0, nSpam),
          ...seededShuffle(test.filter((m) => !m.spam), seed + fold).slice(0, sample - nSpam),
        ];
      }
      spamd = await startSpamd(dir, site);
      const cpu0 = spamdCpuMs(spamd.spamd.pid);
      const t1 = Date.now();
      const scores = await mapLimit(test, 2, async (m) => {
        const out = await run('spamc', ['-d', '127.0.0.1', '-p', String(spamd.port), '-c'], { input: m.raw, okCodes: [0, 1] });
        const parsed = /^(-?[\d.]+)\/([\d.]+)/.exec(out.trim());
        if (!parsed) throw new Error(`unexpected spamc output for ${m.file}: ${out}`);
        required = Number(parsed[2]);
        return Number(parsed[1]);
      });
      const cpuMsPerMessage = (spamdCpuMs(spamd.spamd.pid) - cpu0) / test.length;
      log(`  SpamAssassin fold ${fold + 1}/${k}: scored ${test.length} messages in ${((Date.now() - t1) / 1000).toFixed(0)} s`);
      results.push({
        fold,
        spamScores: scores.filter((_, i) => test[i].spam),
        hamScores: scores.filter((_, i) => !test[i].spam),
        cpuMsPerMessage,
        isSpamByDefault: (s) => s >= required,
      });
    } finally {
      await stopSpamd(spamd);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { results, defaultRule: `score >= ${required} (required_score)` };
}
