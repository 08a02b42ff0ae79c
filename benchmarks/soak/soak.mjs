// The soak: a real cluster (nats-server, clamd, the CSM, two scan nodes, the demo mailbox as the recording
// downstream), mixed traffic from concurrent clients for a given time, the nodes' RSS sampled every few seconds,
// then the exactly-once check: every message answered 250 reached the mailbox exactly once (or was quarantined,
// held or quarantined, as the CSM confirms), and nothing else did. Used by benchmarks/soak/run.mjs and test/soak/soak.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoPolicy, LocalCluster, signalGroup } from '@moat/cli/cluster';
import { Agent } from 'undici';
import { freeClusterPorts } from '../../test/harness/free-ports.ts';
import { seededRandom } from '../../test/harness/random.ts';
import { buildSamples, KINDS, Session, TOKEN } from './traffic.mjs';

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const SESSION_TIMEOUT_MS = 120_000;

const rssBytes = async (pid) => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
};

/** The allocator a process runs on: jemalloc when its library is mapped (LD_PRELOAD), glibc's malloc otherwise. */
const allocatorOf = async (pid) => ((await readFile(`/proc/${pid}/maps`, 'utf8').catch(() => '')).includes('/libjemalloc.') ? 'jemalloc' : 'glibc malloc');

/**
 * Runs the soak and returns its figures. MINUTES of traffic from CLIENTS concurrent clients at about RATE
 * sessions per second in all; LOG gets progress lines.
 */
export async function runSoak({ minutes, clients = 6, rate = 3, seed = 1, kinds = KINDS.map(([kind]) => kind), sampleEveryMs = 5000, log = () => undefined }) {
  const mix = KINDS.filter(([kind]) => kinds.includes(kind));
  if (mix.length === 0) throw new Error(`no known kind in ${kinds.join(',')} (${KINDS.map(([kind]) => kind).join(', ')})`);
  const ports = await freeClusterPorts(2);
  const varDir = await mkdtemp(join(tmpdir(), 'moat-soak-'));
  const policy = demoPolicy(ports.downstream);
  policy.smtp = { maxMessageBytes: MAX_MESSAGE_BYTES };
  const cluster = new LocalCluster({ varDir, nodes: 2, ports, restartOnCrash: false, adminPassword: `soak-${randomBytes(8).toString('hex')}`, policy });
  const killChildren = () => {
    for (const p of cluster.processes()) if (p.pid !== undefined) signalGroup(p.pid, 'SIGKILL');
  };
  process.once('exit', killChildren);
  const crashes = [];
  for (const node of cluster.nodes) node.on('crash', (info) => crashes.push(`${node.name} exited (code ${info.code}, signal ${info.signal})`));
  try {
    log(`starting the cluster in ${varDir}`);
    await cluster.start();
    const allocators = await Promise.all(cluster.nodes.map((n) => (n.pid === undefined ? 'unknown' : allocatorOf(n.pid))));
    const samples = await buildSamples();
    const run = new SoakRun({ cluster, clients, rate, seed, log, samples, mix });
    const startedAt = Date.now();
    const rss = sampleRss(cluster, sampleEveryMs, () => run.done);
    await run.traffic(minutes * 60_000);
    const trafficMs = Date.now() - startedAt;
    log('traffic over; waiting for the deliveries');
    const delivery = await run.settle(cluster);
    run.done = true;
    const rssSamples = await rss;
    return { minutes, clients, rate, seed, kinds: mix.map(([kind]) => kind), trafficMs, ...run.figures(), delivery, crashes, allocators, rss: rssFigures(rssSamples, cluster.nodes.map((n) => n.name), trafficMs), rssSamples };
  } finally {
    await cluster.stop();
    process.off('exit', killChildren);
    if (!process.env['MOAT_KEEP_VAR']) await rm(varDir, { recursive: true, force: true });
  }
}

/** Samples every node's RSS until DONE() says stop; resolves with [{ atMs, rss: [bytes per node] }]. */
async function sampleRss(cluster, everyMs, done) {
  const samples = [];
  const start = Date.now();
  while (!done()) {
    samples.push({ atMs: Date.now() - start, rss: await Promise.all(cluster.nodes.map((n) => (n.pid === undefined ? undefined : rssBytes(n.pid)))) });
    await sleep(everyMs);
  }
  return samples;
}

const MB = 1024 * 1024;
/** Windows the last half of the traffic is cut into for the flatness measure, and the target. */
export const FLAT_WINDOWS = 6;
export const FLAT_TARGET_PERCENT = 10;

/**
 * Per node: RSS at start, peak and end; over the last half of the traffic (samples taken between TRAFFICMS / 2
 * and TRAFFICMS) the raw spread of the samples, and the flatness: that half cut into FLAT_WINDOWS consecutive
 * windows, the median sample of each, then (max - min) / mean of those medians, in percent; flat when it is at
 * most FLAT_TARGET_PERCENT. The medians take out the sawtooth of messages in flight (a bomb's data lives for a
 * second), so what the measure sees is a trend: memory that is kept.
 */
export function rssFigures(samples, names, trafficMs) {
  const percent = (part, whole) => (whole ? Math.round((part / whole) * 1000) / 10 : 0);
  return names.map((name, i) => {
    const values = samples.map((s) => s.rss[i]).filter((v) => v !== undefined);
    const half = samples.filter((s) => s.atMs >= trafficMs / 2 && s.atMs <= trafficMs && s.rss[i] !== undefined).map((s) => s.rss[i]);
    const medians = windows(half, FLAT_WINDOWS).map(median);
    const mean = (list) => list.reduce((a, b) => a + b, 0) / Math.max(list.length, 1);
    const flatness = percent(Math.max(...medians) - Math.min(...medians), mean(medians));
    return {
      node: name,
      startMb: Math.round((values[0] ?? 0) / MB),
      peakMb: Math.round(Math.max(0, ...values) / MB),
      endMb: Math.round((values.at(-1) ?? 0) / MB),
      lastHalfMinMb: Math.round(Math.min(...half) / MB),
      lastHalfMaxMb: Math.round(Math.max(...half) / MB),
      lastHalfSampleSpreadPercent: percent(Math.max(...half) - Math.min(...half), mean(half)),
      lastHalfWindowMediansMb: medians.map((m) => Math.round(m / MB)),
      flatnessPercent: flatness,
      flat: medians.length > 0 && flatness <= FLAT_TARGET_PERCENT,
    };
  });
}

/** LIST cut into COUNT consecutive windows of (nearly) equal length, none empty. */
function windows(list, count) {
  const n = Math.min(count, list.length);
  return Array.from({ length: n }, (_, w) => list.slice(Math.floor((w * list.length) / n), Math.floor(((w + 1) * list.length) / n)));
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

class SoakRun {
  done = false;
  /** token → { kind, outcome: pending|accepted|refused|dropped|smuggled|unknown, detail } */
  tokens = new Map();
  sessions = new Map();
  errors = new Map();
  next = 0;

  constructor({ cluster, clients, rate, seed, log, samples, mix }) {
    this.mix = mix;
    this.cluster = cluster;
    this.clients = clients;
    this.rate = rate;
    this.seed = seed;
    this.log = log;
    this.samples = samples;
    this.prefix = `soak-${randomBytes(3).toString('hex')}`;
    this.totalWeight = mix.reduce((sum, [, weight]) => sum + weight, 0);
  }

  async traffic(durationMs) {
    const deadline = Date.now() + durationMs;
    const period = (this.clients / this.rate) * 1000;
    let lastReport = Date.now();
    await Promise.all(
      Array.from({ length: this.clients }, async (_, client) => {
        const random = seededRandom(this.seed * 1000 + client);
        let n = 0;
        while (Date.now() < deadline) {
          const began = Date.now();
          await this.session(random, client, n++);
          if (Date.now() - lastReport > 60_000) {
            lastReport = Date.now();
            this.log(`${Math.round((deadline - Date.now()) / 1000)} s left: ${this.summary()}`);
          }
          await sleep(Math.max(0, period * (0.5 + random()) - (Date.now() - began)));
        }
      }),
    );
  }

  async session(random, client, n) {
    let pick = random() * this.totalWeight;
    const [kind, , run] = this.mix.find(([, weight]) => (pick -= weight) < 0) ?? this.mix[0];
    this.sessions.set(kind, (this.sessions.get(kind) ?? 0) + 1);
    const port = this.cluster.ports.smtp[(client + n) % this.cluster.ports.smtp.length];
    const mine = [];
    const ctx = {
      samples: this.samples,
      oversizeBytes: MAX_MESSAGE_BYTES + 2 * MB,
      random: (below) => Math.floor(random() * below),
      pick: (list) => list[Math.floor(random() * list.length)],
      open: () => Session.open(port, SESSION_TIMEOUT_MS),
      token: () => {
        const token = `${this.prefix}-${this.next++}`;
        this.tokens.set(token, { kind, outcome: 'pending', detail: '' });
        mine.push(token);
        return token;
      },
      record: (token, outcome, detail) => Object.assign(this.tokens.get(token), { outcome, detail }),
    };
    try {
      await run(ctx);
    } catch (err) {
      const what = `${kind}: ${String(err.message ?? err).replace(/\d+/g, 'N').slice(0, 120)}`;
      this.errors.set(what, (this.errors.get(what) ?? 0) + 1);
    }
    for (const token of mine) if (this.tokens.get(token).outcome === 'pending') this.tokens.get(token).outcome = 'unknown';
  }

  summary() {
    const f = this.figures();
    return `${f.sessionsTotal} sessions, ${f.messages} messages, ${f.accepted} answered 250, ${f.errorsTotal} client errors`;
  }

  figures() {
    const outcomes = {};
    const refusals = {};
    for (const { outcome, detail } of this.tokens.values()) {
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome === 'refused') refusals[detail] = (refusals[detail] ?? 0) + 1;
    }
    const sessions = Object.fromEntries(this.sessions);
    const errors = Object.fromEntries(this.errors);
    return {
      sessions,
      sessionsTotal: Object.values(sessions).reduce((a, b) => a + b, 0),
      messages: this.tokens.size,
      accepted: outcomes['accepted'] ?? 0,
      outcomes,
      refusals,
      errors,
      errorsTotal: Object.values(errors).reduce((a, b) => a + b, 0),
    };
  }

  /**
   * Waits until the mailbox stops changing with every accepted message in it (or 3 minutes), then checks
   * exactly-once. An accepted message that is missing is looked up in the CSM: quarantined is its right place.
   */
  async settle(cluster) {
    const mailbox = new MailboxReader(cluster.paths.mailbox);
    const accepted = [...this.tokens].filter(([, t]) => t.outcome === 'accepted').map(([token]) => token);
    const deadline = Date.now() + 180_000;
    let missing = accepted;
    let unchangedSince = Date.now();
    for (;;) {
      const before = missing.length;
      await mailbox.scan();
      missing = accepted.filter((token) => !mailbox.count.has(token));
      if (missing.length !== before) unchangedSince = Date.now();
      if (missing.length === 0 || Date.now() > deadline || Date.now() - unchangedSince > 20_000) break;
      await sleep(2000);
    }
    const quarantined = await this.quarantined(cluster, missing);
    const duplicates = [...mailbox.count].filter(([, n]) => n > 1).map(([token, n]) => `${token} (${this.tokens.get(token)?.kind}) ×${n}`);
    const unexpected = [...mailbox.count.keys()]
      .filter((token) => !['accepted', 'unknown'].includes(this.tokens.get(token)?.outcome))
      .map((token) => `${token} (${this.tokens.get(token)?.kind ?? 'not sent'}, ${this.tokens.get(token)?.outcome ?? '-'})`);
    const lost = missing.filter((token) => !quarantined.has(token)).map((token) => `${token} (${this.tokens.get(token).kind})`);
    return { delivered: mailbox.count.size, mailboxFiles: mailbox.files, quarantined: quarantined.size, duplicates, unexpected, lost, exactlyOnce: duplicates.length === 0 && unexpected.length === 0 && lost.length === 0 };
  }

  /** The tokens among MISSING whose message the CSM shows as quarantined (events may take a moment to arrive). */
  async quarantined(cluster, missing) {
    const found = new Set();
    if (missing.length === 0) return found;
    const token = (await readFile(cluster.paths.cliToken, 'utf8')).trim();
    // The CSM serves HTTPS with its own certificate (unless MOAT_HTTP_TLS=off): trust exactly that one.
    const certFile = cluster.csmCertFile;
    const dispatcher = new Agent(certFile ? { connect: { ca: await readFile(certFile, 'utf8') } } : {});
    for (let attempt = 0; attempt < 10 && found.size < missing.length; attempt++) {
      if (attempt > 0) await sleep(2000);
      for (const verdict of ['quarantine', 'hold']) {
        const response = await fetch(`${cluster.csmUrl}/api/mail?verdict=${verdict}&limit=10000&from=0`, { headers: { authorization: `Bearer ${token}` }, dispatcher });
        if (!response.ok) continue;
        const { messages } = await response.json();
        for (const row of messages) for (const [match] of String(row.subject).matchAll(TOKEN)) if (missing.includes(match)) found.add(match);
      }
    }
    return found;
  }
}

/** Reads the demo mailbox incrementally: each new .eml file once, counting the tokens in its header block. */
class MailboxReader {
  count = new Map();
  files = 0;
  seen = new Set();

  constructor(dir) {
    this.dir = dir;
  }

  async scan() {
    const names = (await readdir(this.dir).catch(() => [])).filter((n) => n.endsWith('.eml') && !this.seen.has(n));
    for (const name of names) {
      this.seen.add(name);
      this.files++;
      const raw = await readFile(join(this.dir, name), 'latin1');
      const headEnd = raw.indexOf('\r\n\r\n');
      const head = headEnd === -1 ? raw : raw.slice(0, headEnd);
      for (const token of new Set(Array.from(head.matchAll(TOKEN), ([match]) => match))) this.count.set(token, (this.count.get(token) ?? 0) + 1);
    }
  }
}
