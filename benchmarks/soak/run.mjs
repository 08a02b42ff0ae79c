#!/usr/bin/env node
// Soak benchmark: two real scan nodes under an hour of mixed traffic (clean mail, spam, attachments, bombs,
// oversized and nested messages, malformed MIME, smuggling sequences, slow clients, dropped connections),
// the nodes' RSS sampled, and every message answered 250 checked to be delivered exactly once. Usage (from the
// repository root, after npm run build):
//   node benchmarks/soak/run.mjs [--minutes 60] [--clients 6] [--rate 3] [--seed 1] [--kinds bomb,oversized,...] [--out benchmarks/soak/RESULTS.md] [--samples rss.json]
// Exits 1 when exactly-once fails or a node crashed. test/soak/soak.test.ts runs the same soak for a minute.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FLAT_TARGET_PERCENT, FLAT_WINDOWS, runSoak } from './soak.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: options } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    clients: { type: 'string', default: '6' },
    rate: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    kinds: { type: 'string' },
    out: { type: 'string', default: join(repoRoot, 'benchmarks/soak/RESULTS.md') },
    samples: { type: 'string' },
  },
});

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = loadAverage();
const startedAt = new Date();
const result = await runSoak({
  minutes: Number(options.minutes),
  clients: Number(options.clients),
  rate: Number(options.rate),
  seed: Number(options.seed),
  ...(options.kinds ? { kinds: options.kinds.split(',') } : {}),
  log: (line) => console.log(`[soak] ${new Date().toISOString().slice(11, 19)} ${line}`),
});

const command = `node benchmarks/soak/run.mjs --minutes ${options.minutes} --clients ${options.clients} --rate ${options.rate} --seed ${options.seed}${options.kinds ? ` --kinds ${options.kinds}` : ''}`;
const markdown = render(result, {
  command,
  machine: `${cpus().length} × ${cpus()[0].model}, Node ${process.version}; shared with other engineers' builds and tests during the run`,
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
  date: startedAt.toISOString().slice(0, 16).replace('T', ' '),
  loadAverage: `${loadBefore} before, ${loadAverage()} after`,
});
writeFileSync(options.out, markdown);
if (options.samples) writeFileSync(options.samples, JSON.stringify({ trafficMs: result.trafficMs, nodes: result.rss.map((n) => n.node), samples: result.rssSamples }));
console.log(markdown);
console.log(`[soak] wrote ${relative(process.cwd(), options.out)}`);
for (const n of result.rss) console.log(`[soak] ${n.node} RSS flatness over the last half ${n.flatnessPercent}% (target <= ${FLAT_TARGET_PERCENT}%): ${n.flat ? 'PASS' : 'FAIL'}`);
process.exitCode = result.delivery.exactlyOnce && result.crashes.length === 0 ? 0 : 1;

function render(r, meta) {
  const table = (rows) => rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
  const counts = (object) => Object.entries(object).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
  const list = (items) => (items.length ? items.slice(0, 20).join(', ') + (items.length > 20 ? ` … (${items.length})` : '') : 'none');
  const perMinute = r.rssSamples.filter((s, i) => i === 0 || Math.floor(s.atMs / 60_000) > Math.floor(r.rssSamples[i - 1].atMs / 60_000) || i === r.rssSamples.length - 1);
  return `# Soak results

\`${meta.command}\` — commit ${meta.commit}, ${meta.date} UTC, ${Math.round(r.trafficMs / 60_000)} minutes of traffic.
Machine: ${meta.machine}. Load average: ${meta.loadAverage}.
Allocator of the nodes: ${r.allocators.join(', ')}.

Two scan nodes (with nats-server, clamd, the CSM and the demo mailbox as the recording downstream), ${r.clients}
concurrent clients at about ${r.rate} sessions/s in all, alternating between the nodes; \`smtp.maxMessageBytes\`
10 MiB. Kinds: clean mail (1-3 per session), spam, attachments, archive bombs (5,000 overlapping 100 MiB zip
entries; a gzip of 1 GiB of zeros; a zip member that inflates to 1 GiB), nested (zip 12 deep; multipart 200
deep), malformed MIME, oversized (12 MiB), smuggling (end of data with bare LF/CR, a second message behind it),
slow clients (commands and data in pieces with pauses), dropped connections (after the greeting, after RCPT,
mid-DATA), three messages pipelined in one write.

## Messages
| figure | value |
|---|---|
| sessions | ${r.sessionsTotal} (${counts(r.sessions)}) |
| messages | ${r.messages} |
| answered 250 | ${r.accepted} |
| outcomes | ${counts(r.outcomes)} |
| refusals (reply code) | ${counts(r.refusals)} |
| client errors | ${r.errorsTotal} (${counts(r.errors)}) |
| delivered to the mailbox | ${r.delivery.delivered} tokens in ${r.delivery.mailboxFiles} files |
| answered 250 and quarantined/held | ${r.delivery.quarantined} |
| **every 250 delivered exactly once** | **${r.delivery.exactlyOnce ? 'yes' : 'NO'}** (duplicates: ${list(r.delivery.duplicates)}; lost: ${list(r.delivery.lost)}; delivered without a 250: ${list(r.delivery.unexpected)}) |
| node crashes | ${list(r.crashes)} |

## RSS
| node | start MB | peak MB | end MB | last half min-max MB (sample spread) | last half window medians MB | flatness | flat |
|---|---|---|---|---|---|---|---|
${table(r.rss.map((n) => [n.node, n.startMb, n.peakMb, n.endMb, `${n.lastHalfMinMb}-${n.lastHalfMaxMb} (${n.lastHalfSampleSpreadPercent}%)`, n.lastHalfWindowMediansMb.join(', '), `${n.flatnessPercent}%`, n.flat ? 'yes' : '**NO**']))}

Flatness (target: at most ${FLAT_TARGET_PERCENT}% per node): the samples of the last half of the traffic (every 5 s), cut
into ${FLAT_WINDOWS} consecutive windows; the median of each; (max - min) / mean of those ${FLAT_WINDOWS} medians. The sample
spread ((max - min) / mean of the samples themselves) is shown beside it: it includes the data of messages in flight.

RSS by minute (MB):

| minute | ${r.rss.map((n) => n.node).join(' | ')} |
|---|${r.rss.map(() => '---|').join('')}
${table(perMinute.map((s) => [Math.round(s.atMs / 60_000), ...s.rss.map((v) => (v === undefined ? '-' : Math.round(v / 1024 / 1024)))]))}
`;
}
