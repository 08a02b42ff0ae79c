#!/usr/bin/env node
// Submission benchmark (issue 13): outbound mail submitted by nodemailer clients with AUTH PLAIN over STARTTLS
// (587's role) and over implicit TLS (465's role), scanned by the outbound pipeline (DLP, compromised-account
// signs, antivirus) and DKIM-signed, to Postfix's smtp-sink as smarthost; next to it, in the same run on the
// same node, the inbound relay path (nodemailer without TLS, and Postfix's smtp-source as benchmarks/relay
// measures it) to the same sink. A real local cluster (nats-server, clamd, CSM, one scan node) on free ports.
// Writes benchmarks/submission/RESULTS.md. Usage (from the repository root, after npx nx run-many -t build):
//   node benchmarks/submission/run.mjs [--sessions 20] [--seconds 8] [--size 5000] [--out FILE]
// BENCH_NO_COMPROMISE=1 switches the compromised-account signs off (to see what they cost).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { demoPolicy, LocalCluster, signalGroup } from '@moat/cli/cluster';
import nodemailer from 'nodemailer';
import { Agent } from 'undici';
import { freeClusterPorts } from '../../test/harness/free-ports.ts';
import { measureThroughput } from '../relay/lib/load.mjs';
import { clockTicksPerSecond, cpuTicks } from '../relay/lib/processes.mjs';
import { BENCH_DOMAIN, startSink } from '../relay/lib/targets.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: options } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '8' },
    size: { type: 'string', default: '5000' },
    out: { type: 'string', default: join(repoRoot, 'benchmarks/submission/RESULTS.md') },
  },
});
const sessions = Number(options.sessions);
const seconds = Number(options.seconds);
const size = Number(options.size);
const ALICE = 'alice@example.test';
const PASSWORD = `bench-${randomBytes(12).toString('hex')}`;
/** A new connection after this many messages, as smtp-source does in the relay benchmark. */
const MESSAGES_PER_CONNECTION = 10;

const loadAverage = () => execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');

/** A text body of about SIZE bytes in 76-character lines. */
function bodyOf(bytes) {
  const line = 'The quarterly figures are attached below as agreed in our call this morning.\r\n';
  return line.repeat(Math.max(1, Math.round(bytes / line.length)));
}

async function waitForDelivered(sink, expected, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (sink.delivered() < expected) {
    if (Date.now() > deadline) throw new Error(`the sink received ${sink.delivered()} of ${expected} messages`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * SESSIONS nodemailer clients, each on one connection at a time (a new one after 10 messages), sending one
 * after the other for SECONDS; the clock stops when the sink has every message. MODE: relay (the MX port, no
 * TLS, no AUTH, to a tenant domain), submission (STARTTLS required, AUTH PLAIN), submissions (implicit TLS, AUTH PLAIN).
 */
async function measureClients({ mode, port, sink, nodePid }) {
  const transports = Array.from({ length: sessions }, () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      pool: true,
      maxConnections: 1,
      maxMessages: MESSAGES_PER_CONNECTION,
      secure: mode === 'submissions',
      requireTLS: mode === 'submission',
      ignoreTLS: mode === 'relay',
      ...(mode === 'relay' ? {} : { auth: { user: ALICE, pass: PASSWORD, method: 'PLAIN' } }),
      tls: { rejectUnauthorized: false },
    }),
  );
  const mail = (n) => ({
    envelope: mode === 'relay' ? { from: 'sender@client.test', to: [`rcpt@${BENCH_DOMAIN}`] } : { from: ALICE, to: ['rcpt@remote.test'] },
    from: mode === 'relay' ? 'sender@client.test' : ALICE,
    to: mode === 'relay' ? `rcpt@${BENCH_DOMAIN}` : 'rcpt@remote.test',
    subject: `submission benchmark ${mode} ${n}`,
    text: body,
  });
  try {
    let expected = sink.delivered() + sessions * 2 + 1;
    // Warm-up: one message first, so that the node has verified the password once (it caches it; 20 first
    // AUTHs at once would each run scrypt, and the node answers 454 past four at a time), then two per session.
    await transports[0].sendMail(mail(0));
    await Promise.all(transports.map((t, i) => t.sendMail(mail(i)).then(() => t.sendMail(mail(i)))));
    await waitForDelivered(sink, expected);
    const startTicks = cpuTicks(nodePid);
    const start = performance.now();
    let sent = 0;
    await Promise.all(
      transports.map(async (t) => {
        while (performance.now() - start < seconds * 1000) {
          const info = await t.sendMail(mail(sent));
          if (!info.response.startsWith('250')) throw new Error(`${mode}: ${info.response}`);
          sent++;
        }
      }),
    );
    expected += sent;
    await waitForDelivered(sink, expected);
    const elapsedMs = performance.now() - start;
    const endTicks = cpuTicks(nodePid);
    const perMessage = (ticks) => (ticks * 1000) / clockTicksPerSecond / sent;
    return { messages: sent, msgsPerSecond: sent / (elapsedMs / 1000), cpuMsPerMessage: perMessage(endTicks.user + endTicks.system - startTicks.user - startTicks.system), systemCpuMsPerMessage: perMessage(endTicks.system - startTicks.system) };
  } finally {
    for (const t of transports) t.close();
  }
}

/** The CSM's API as the local cluster's CLI token (the bootstrap administrator). */
async function csmApi(cluster) {
  const token = (await readFile(cluster.paths.cliToken, 'utf8')).trim();
  const certFile = cluster.csmCertFile;
  const dispatcher = new Agent(certFile ? { connect: { ca: await readFile(certFile, 'utf8') } } : {});
  return async (method, path, body) => {
    const response = await fetch(`${cluster.csmUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), dispatcher });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
}

const body = bodyOf(size);
const sink = await startSink();
const ports = await freeClusterPorts(1);
const varDir = await mkdtemp(join(tmpdir(), 'moat-bench-submission-'));
const demo = demoPolicy(ports.downstream, ports.internet);
const toSink = { host: '127.0.0.1', port: sink.port, tls: 'none' };
const policy = {
  ...demo,
  domains: [...demo.domains, { name: BENCH_DOMAIN, downstream: toSink }],
  smtp: { greetingDelayMs: 0, maxConnectionsPerIp: 200 },
  delivery: { ...demo.delivery, concurrencyPerDestination: 20 },
  outbound: {
    ...demo.outbound,
    delivery: { smarthosts: [{ senderDomain: '*', ...toSink }] },
    // One account sends everything here: the signs run (their cost is measured) with a floor it never reaches.
    compromise: process.env.BENCH_NO_COMPROMISE ? { enabled: false } : { volume: { floor: 10_000_000 } },
  },
};
const cluster = new LocalCluster({ varDir, nodes: 1, ports, restartOnCrash: false, adminPassword: `bench-${randomBytes(8).toString('hex')}`, policy });
process.once('exit', () => {
  for (const p of cluster.processes()) if (p.pid !== undefined) signalGroup(p.pid, 'SIGKILL');
});
const loadBefore = loadAverage();
const rows = [];
try {
  await cluster.start();
  const api = await csmApi(cluster);
  // A custom policy gets no demo DKIM key from the local cluster: make one, as `moat dkim generate` does.
  await api('POST', '/api/dkim/example.test/keys', { algorithm: 'rsa' });
  const { version } = await api('POST', `/api/accounts/${ALICE}/password`, { password: PASSWORD });
  for (;;) {
    const status = await api('GET', '/api/status');
    if (status.nodes.some((n) => n.up && n.policyVersion >= version)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const nodePid = cluster.nodes[0].pid;
  const cells = [
    { name: 'inbound relay path, smtp-source (no TLS)', run: () => measureThroughput({ port: ports.smtp[0], serverPid: nodePid, sink, sessions, size, seconds }) },
    { name: 'inbound relay path, nodemailer (no TLS)', run: () => measureClients({ mode: 'relay', port: ports.smtp[0], sink, nodePid }) },
    { name: 'submission 587: STARTTLS + AUTH PLAIN + DKIM', run: () => measureClients({ mode: 'submission', port: ports.submission[0], sink, nodePid }) },
    { name: 'submission 465: implicit TLS + AUTH PLAIN + DKIM', run: () => measureClients({ mode: 'submissions', port: ports.submissions[0], sink, nodePid }) },
  ];
  for (const cell of cells) {
    const result = await cell.run();
    console.log(`[bench] ${cell.name}: ${result.msgsPerSecond.toFixed(0)} msgs/s, ${result.cpuMsPerMessage.toFixed(2)} ms CPU/msg`);
    rows.push({ name: cell.name, ...result });
  }
  // The proof that signing ran: the submitted messages' events carry DKIM_SIGNED (the CSM ingests them in batches).
  for (let tries = 0; ; tries++) {
    const signed = await api('GET', `/api/mail?symbol=DKIM_SIGNED&direction=outbound&limit=1`);
    if (signed.messages.length > 0) break;
    if (tries > 120) throw new Error(`no submitted message was DKIM-signed: ${JSON.stringify(await api('GET', '/api/mail?direction=outbound&limit=1'))}`);
    await new Promise((r) => setTimeout(r, 500));
  }
} finally {
  await cluster.stop();
  await sink.stop();
  await rm(varDir, { recursive: true, force: true });
}

const relay = rows[1];
const table = rows.map((r) => `| ${r.name} | ${r.messages} | ${r.msgsPerSecond.toFixed(0)} | ${r.cpuMsPerMessage.toFixed(2)} | ${r.systemCpuMsPerMessage.toFixed(2)} | ${(r.msgsPerSecond / relay.msgsPerSecond).toFixed(2)}x |`);
const command = `node ${relative(repoRoot, fileURLToPath(import.meta.url))} --sessions ${sessions} --seconds ${seconds} --size ${size}`;
const markdown = `# Submission benchmark results

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim()} on ${cpus().length} × ${cpus()[0].model}, Node ${process.version}; every process
on this one machine (127.0.0.1). Load average (1, 5, 15 min): ${loadBefore} before, ${loadAverage()} after.

Command (from the repository root, after \`npx nx run-many -t build\`):

\`\`\`
${command}
\`\`\`

One local cluster (nats-server, clamd, the CSM, one scan node) on the demo policy, with \`bench.test\` relayed to
Postfix's smtp-sink and every outbound message sent through the same smtp-sink as smarthost. ${sessions} sessions, each
a nodemailer client on one connection at a time (a new connection, TLS handshake and AUTH after ${MESSAGES_PER_CONNECTION} messages),
sending ${size / 1000} KB text messages one after the other for ${seconds} s; the clock stops when the sink has every message.
Submission: alice@example.test, AUTH PLAIN (the scrypt check is cached after the first), the outbound pipeline
(sender rules, DLP, approval rules, compromised-account signs with their KV writes, antivirus, body checks) and
DKIM signing (RSA 2048, the key the cluster made at first start). The inbound relay path is measured in the same run
on the same node: smtp-source as in benchmarks/relay and the same nodemailer clients without TLS. CPU is the scan
node's (user + system, threads included) per message.

| path | messages | msgs/s | CPU ms/msg | system | vs inbound (nodemailer) |
|---|---:|---:|---:|---:|---:|
${table.join('\n')}

With the load average above the machine's two cores (other work shares it), the absolute rates are the machine's,
not the node's: compare the rows (the same node, measured one after the other in one run) and the node's CPU per message.
`;
await writeFile(options.out, markdown);
console.log(`[bench] wrote ${relative(process.cwd(), options.out)}`);
