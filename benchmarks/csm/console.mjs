#!/usr/bin/env node
// Console API latency over a large event store: generated mail (benchmarks/csm/generate.mjs, 10 million
// messages over 35 days by default) in the CSM's embedded ClickHouse, then the real CSM over HTTPS: mail search
// over the last day and the last 30 days (unfiltered, by a common and a rare sender, by a sender no message has, by
// recipient, by a common and a rare subject word, an OR of two fields), one message by id, the dashboard counts (GET /api/stats) and the statistics by domain and by
// symbol, each RUNS times one after the other; p50/p95 in ms. Build first (npx nx run csm:build).
// Usage (repository root):
//   node benchmarks/csm/console.mjs [--messages 10000000] [--days 35] [--runs 20] [--store DIR] [--csm MAIN.js] [--out benchmarks/RESULTS-console.md]
// --store reuses the data dir of an earlier run (kept, with its path printed, when --store is not given).
// --csm runs another build of the CSM (an older commit's apps/csm/dist/main.js) for a before/after comparison.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startNats } from '../relay/lib/targets.mjs';
import { loadAverage, percentiles, repoRoot, startCsm } from './csm.mjs';

const { values: options } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '35' },
    runs: { type: 'string', default: '20' },
    store: { type: 'string' },
    csm: { type: 'string' },
    out: { type: 'string', default: join(repoRoot, 'benchmarks/RESULTS-console.md') },
  },
});
const runs = Number(options.runs);
const workDir = mkdtempSync(join(tmpdir(), 'moat-bench-console-'));
const dataDir = options.store ?? join(workDir, 'csm');
const nats = await startNats({ workDir });
const main = options.csm ? { main: resolve(options.csm) } : {};
const log = (line) => console.log(`[console] ${new Date().toISOString().slice(11, 19)} ${line}`);

let generated = '';
try {
  if (!existsSync(join(dataDir, 'clickhouse'))) {
    // The CSM makes the tables and views; the generator then writes straight into them.
    const first = await startCsm({ natsUrl: nats.url, dataDir, ...main });
    await first.call('/api/stats');
    await first.stop();
    log(`generating ${options.messages} messages over ${options.days} days into ${dataDir}`);
    const started = performance.now();
    execFileSync(process.execPath, [join(repoRoot, 'benchmarks/csm/generate.mjs'), join(dataDir, 'clickhouse'), options.messages, options.days], { stdio: 'inherit' });
    generated = `generated in ${((performance.now() - started) / 1000).toFixed(0)} s`;
  }
  const startedAt = performance.now();
  const csm = await startCsm({ natsUrl: nats.url, dataDir, ...main });
  const loadBefore = loadAverage();
  try {
    const all = await csm.call('/api/stats?from=0');
    log(`CSM up in ${((performance.now() - startedAt) / 1000).toFixed(1)} s over ${all.total} messages`);
    const now = Date.now();
    const day = `from=${now - 86_400_000}&to=${now}`;
    const month = `from=${now - 30 * 86_400_000}&to=${now}`;
    // Values from the data: a sender of the last day's mail, one of the rarest, and message ids across the month.
    const recent = (await csm.call(`/api/mail?${day}&limit=1000`)).messages;
    const sender = recent[500]?.mailFrom ?? recent[0].mailFrom;
    const recipient = recent[500]?.rcptTo[0] ?? recent[0].rcptTo[0];
    const rareSender = (await csm.call(`/api/stats?by=user&direction=outbound&${month}`)).rows.at(-1)?.key ?? sender;
    const ids = [];
    for (let page = 0; page < 20; page++) {
      const result = await csm.call(`/api/mail?from=${now - (page + 1) * 36 * 3_600_000}&to=${now - page * 36 * 3_600_000}&limit=1`);
      if (result.messages[0]) ids.push(result.messages[0].id);
    }
    const search = (range, where) => `/api/mail?${range}${where ? `&${where}` : ''}`;
    const cases = [];
    for (const [name, range] of [
      ['day', day],
      ['30 days', month],
    ]) {
      cases.push(
        [`mail search, ${name}, unfiltered`, () => search(range, '')],
        [`mail search, ${name}, by sender`, () => search(range, `sender=${encodeURIComponent(sender)}`)],
        [`mail search, ${name}, by a rare sender`, () => search(range, `sender=${encodeURIComponent(rareSender)}`)],
        [`mail search, ${name}, by a sender no message has`, () => search(range, 'sender=nobody%40nowhere.test')],
        [`mail search, ${name}, by recipient`, () => search(range, `rcpt=${encodeURIComponent(recipient)}`)],
        [`mail search, ${name}, by a common subject word`, () => search(range, 'subject=invoice')],
        [`mail search, ${name}, by a rare subject word`, () => search(range, 'subject=kubernetes')],
        [`mail search, ${name}, sender OR subject word`, () => search(range, `sender=${encodeURIComponent(rareSender)}&subject=terraform&match=any`)],
        [`dashboard (GET /api/stats), ${name}`, () => `/api/stats?${range}`],
        [`statistics by domain, ${name}`, () => `/api/stats?by=domain&${range}`],
        [`statistics by symbol, ${name}`, () => `/api/stats?by=symbol&${range}`],
      );
    }
    let next = 0;
    cases.push(['message page by id (20 ids)', () => `/api/mail/${ids[next++ % ids.length]}`]);
    cases.push(['dashboard (GET /api/stats), all time', () => '/api/stats?from=0']);
    const rows = [];
    for (const [name, path] of cases) {
      for (let i = 0; i < 2; i++) await csm.call(path());
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await csm.call(path());
        samples.push(performance.now() - started);
      }
      const { p50, p95 } = percentiles(samples);
      rows.push(`| ${name} | ${p50.toFixed(0)} | ${p95.toFixed(0)} |`);
      log(`${name}: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`);
    }
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const report = [
      '# Console API latency over a large event store',
      '',
      `\`node benchmarks/csm/console.mjs --messages ${options.messages} --days ${options.days} --runs ${runs}\` on ${new Date().toISOString().slice(0, 10)}, commit ${commit},`,
      `${cpus().length} cores (${cpus()[0]?.model.trim()}), shared with other work (load average ${loadBefore} before, ${loadAverage()} after).`,
      `${all.total} messages in chdb (embedded ClickHouse)${generated ? `, ${generated}` : ''}; the real CSM over HTTPS with its CLI token,`,
      `each call ${runs} times one after the other after two warm-up calls; times in ms, client side.`,
      `Sender: \`${sender}\`; rare sender: \`${rareSender}\`; recipient: \`${recipient}\`.`,
      '',
      '| call | p50 | p95 |',
      '|---|---|---|',
      ...rows,
      '',
    ].join('\n');
    writeFileSync(options.out, report);
    log(`written ${options.out}`);
  } finally {
    await csm.stop();
  }
} finally {
  await nats.stop();
  if (!options.store) log(`store kept in ${dataDir} (--store to reuse it)`);
}
