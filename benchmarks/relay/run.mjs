#!/usr/bin/env node
// Relay benchmark: smtp-sink alone, Haraka as a plain relay and the Moat scan node, measured side by side in
// one run on this machine. Writes benchmarks/RESULTS.md. Usage (from the repository root):
//   npm run bench:relay                       # setup + build, then all three targets
//   node benchmarks/relay/run.mjs [--targets sink,haraka,node,node-full] [--seconds 4] [--out FILE]
//   --sizes 5000 --sessions 20 --skip-latency: only some cells (quick iterations; use --out elsewhere)
// BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" passes flags to the scan node's Node (profiling);
// BENCH_NODE_MAIN=path/to/main.js runs another build of the node (comparing two builds).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureLatency } from './lib/latency.mjs';
import { MESSAGES_PER_CONNECTION, measureThroughput } from './lib/load.mjs';
import { renderResults } from './lib/report.mjs';
import { startClamd, startHaraka, startNats, startNode, startSink } from './lib/targets.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '../..');
const { values: options } = parseArgs({
  options: {
    targets: { type: 'string', default: 'sink,haraka,node,node-full' },
    seconds: { type: 'string', default: '4' },
    out: { type: 'string', default: join(repoRoot, 'benchmarks/RESULTS.md') },
    sizes: { type: 'string', default: '5000,100000' },
    sessions: { type: 'string', default: '1,20' },
    'skip-latency': { type: 'boolean', default: false },
  },
});
const targets = options.targets.split(',');
const seconds = Number(options.seconds);
const SIZES = options.sizes.split(',').map(Number);
const SESSIONS = options.sessions.split(',').map(Number);

function ensureHaraka() {
  if (existsSync(join(benchDir, 'node_modules/Haraka/package.json'))) return;
  console.log('[bench] installing Haraka into benchmarks/relay/node_modules');
  execFileSync('npm', ['ci', '--prefix', benchDir, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
}

/** A failed measurement carries the server's last output, which says why it refused. */
async function withServerOutput(server, measurement) {
  try {
    return await measurement;
  } catch (error) {
    throw new Error(`${error.message}\nlast output of ${server.name}:\n${server.output()}`);
  }
}

/**
 * Every cell for every server. Servers are all started first and measured one after the other within each
 * cell, so that a change in the machine's background load hits all of them alike.
 */
async function measureAll(servers, sink) {
  const rows = [];
  for (const size of SIZES) {
    for (const sessions of SESSIONS) {
      for (const [name, server] of servers) {
        const result = await withServerOutput(server, measureThroughput({ port: server.port, serverPid: server.pid, sink, sessions, size, seconds }));
        console.log(`[bench] ${name} ${size / 1000} KB x${sessions}: ${result.msgsPerSecond.toFixed(0)} msgs/s, ${result.cpuMsPerMessage.toFixed(2)} ms CPU/msg (${result.systemCpuMsPerMessage.toFixed(2)} system)`);
        rows.push({ target: name, size, sessions, ...result });
      }
    }
  }
  const latency = [];
  for (const size of options['skip-latency'] ? [] : SIZES) {
    for (const [name, server] of servers) {
      const result = await withServerOutput(server, measureLatency({ port: server.port, size }));
      console.log(`[bench] ${name} ${size / 1000} KB latency at 10 msgs/s: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`);
      latency.push({ target: name, size, ...result });
    }
  }
  return { rows, latency };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const workDir = mkdtempSync(join(tmpdir(), 'moat-bench-'));
const running = [];
const started = async (promise) => {
  const proc = await promise;
  running.push(proc);
  return proc;
};
const stopAll = async () => {
  for (const proc of running.reverse()) await proc.stop();
  running.length = 0;
};
process.once('SIGINT', () => stopAll().finally(() => process.exit(130)));

let results;
const loadBefore = loadAverage();
try {
  const sink = await started(startSink());
  const servers = new Map();
  let nats;
  let clamd;
  for (const target of targets) {
    if (target === 'sink') servers.set(target, sink);
    else if (target === 'haraka') {
      ensureHaraka();
      servers.set(target, await started(startHaraka({ workDir, sinkPort: sink.port, benchDir })));
    } else if (target === 'node' || target === 'node-full') {
      nats ??= await started(startNats({ workDir }));
      clamd ??= await started(startClamd({ workDir, repoRoot }));
      servers.set(target, await started(startNode({ workDir, repoRoot, sinkPort: sink.port, natsUrl: nats.url, clamd: clamd.address, full: target === 'node-full' })));
    } else throw new Error(`unknown target ${target} (sink, haraka, node, node-full)`);
  }
  results = await measureAll(servers, sink);
} finally {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
}

const haraka = JSON.parse(readFileSync(join(benchDir, 'node_modules/Haraka/package.json'), 'utf8')).version;
const markdown = renderResults(results, {
  command: `node ${relative(repoRoot, fileURLToPath(import.meta.url))} --targets ${options.targets} --seconds ${seconds}`,
  machine: `${cpus().length} × ${cpus()[0].model}, Node ${process.version}, Haraka ${haraka}, Postfix smtp-source/smtp-sink`,
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
  date: new Date().toISOString().slice(0, 16).replace('T', ' '),
  seconds,
  messagesPerConnection: MESSAGES_PER_CONNECTION,
  loadAverage: `${loadBefore} before, ${loadAverage()} after`,
});
// The relay section is the file's head; sections other benchmarks added below it (## headings) are kept.
const previous = existsSync(options.out) ? readFileSync(options.out, 'utf8') : '';
const otherSections = previous.indexOf('\n## ');
writeFileSync(options.out, otherSections >= 0 ? `${markdown}${previous.slice(otherSections)}` : markdown);
console.log(`[bench] wrote ${relative(process.cwd(), options.out)}`);
