#!/usr/bin/env node
// CSM ingest rate: EVENTS events (two MessageEvents for each DeliveryEvent, times spread over DAYS days, ids
// sorted by time like the node's) are published to JetStream while the CSM is down; then the CSM starts, and
// the clock runs from its first acked batch (its schema made) until its consumer has acked every event (stored
// in ClickHouse and in the export log). Reports events/s and the CSM's CPU over that time. Storage: the embedded chdb, or MOAT_CLICKHOUSE when set
// (a ClickHouse server URL). Build first (npx nx run csm:build).
// --csm runs another build of the CSM (an older commit's apps/csm/dist/main.js) for a before/after comparison.
// Usage (repository root): node benchmarks/csm/ingest.mjs [--events 100000] [--days 30] [--csm MAIN.js] [--out FILE (appends a row)]
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EVENTS_CONSUMER, EVENTS_STREAM, deliveryEventMsgId, deliveryEventSubject, ensureEventsStream, messageEventMsgId, messageEventSubject } from '@moat/bus';
import { Action, DeliveryEvent, Direction, MessageEvent } from '@moat/proto/grpc';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { clockTicksPerSecond, cpuTicks } from '../relay/lib/processes.mjs';
import { startNats } from '../relay/lib/targets.mjs';
import { loadAverage, startCsm } from './csm.mjs';

const { values: options } = parseArgs({
  options: { events: { type: 'string', default: '100000' }, days: { type: 'string', default: '30' }, csm: { type: 'string' }, out: { type: 'string' } },
});
const total = Number(options.events);
const days = Number(options.days);
const log = (line) => console.log(`[ingest] ${new Date().toISOString().slice(11, 19)} ${line}`);
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const base32 = (value, chars) => Array.from({ length: chars }, (_, i) => ALPHABET[Math.floor(value / 32 ** (chars - 1 - i)) % 32]).join('');
const words = 'invoice payment order meeting report update security delivery reminder project'.split(' ');

const workDir = mkdtempSync(join(tmpdir(), 'moat-bench-ingest-'));
const nats = await startNats({ workDir });
const nc = await connect({ servers: nats.url });
try {
  await ensureEventsStream(nc);
  const js = jetstream(nc);
  const endMs = Date.now();
  const messages = Math.ceil((total * 2) / 3);
  const started = performance.now();
  let pending = [];
  for (let n = 0; n < total; n++) {
    const m = n % 3 === 2 ? Math.floor(n / 3) * 2 : n - Math.floor(n / 3);
    const atMs = endMs - days * 86_400_000 + Math.floor((m * days * 86_400_000) / messages);
    const id = `${base32(atMs, 10)}${base32(m * 7919, 16)}`;
    if (n % 3 === 2) {
      const event = DeliveryEvent.fromPartial({ messageId: id, nodeId: 'node-a', recipient: 'alice@example.test', result: { status: 'delivered', downstream: 'mx:25', response: '250 ok', attempts: 1, atMs: atMs + 1000 } });
      pending.push(js.publish(deliveryEventSubject('node-a'), DeliveryEvent.encode(event).finish(), { msgID: deliveryEventMsgId(id, 'delivered', 1, 'alice@example.test') }));
    } else {
      const event = MessageEvent.fromPartial({
        id,
        nodeId: 'node-a',
        tenant: 'default',
        receivedAtMs: atMs,
        direction: Direction.DIRECTION_INBOUND,
        envelope: { mailFrom: `user${m % 5000}@remote${m % 50}.test`, rcptTo: [`u${m % 700}@example.test`], clientIp: `198.51.100.${m % 256}`, helo: 'mx.remote.test', tls: true },
        headers: { subject: `${words[m % 10]} ${words[(m * 7) % 10]} #${m}`, from: `user${m % 5000}@remote${m % 50}.test`, to: 'alice@example.test', messageId: `<${id}@remote.test>` },
        action: m % 10 === 0 ? Action.ACTION_QUARANTINE : Action.ACTION_DELIVER,
        score: 1.5,
        symbols: [{ name: 'SPF_PASS', score: -0.5, detail: '', stage: 'connect' }, { name: 'BAYES_HAM', score: -2, detail: '0.01', stage: 'data' }],
        urls: ['https://example.test/x'],
        delivery: { status: 'queued', attempts: 0, atMs },
        policyVersion: 1,
        sizeBytes: 4000,
      });
      pending.push(js.publish(messageEventSubject('node-a'), MessageEvent.encode(event).finish(), { msgID: messageEventMsgId(id) }));
    }
    if (pending.length === 1000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  log(`published ${total} events (${messages} messages) over ${days} days in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const loadBefore = loadAverage();
  const csm = await startCsm({ natsUrl: nats.url, dataDir: join(workDir, 'csm'), ...(options.csm ? { main: resolve(options.csm) } : {}) });
  const up = performance.now();
  const jsm = await jetstreamManager(nc);
  const cpuSeconds = () => {
    const { user, system } = cpuTicks(csm.pid);
    return (user + system) / clockTicksPerSecond;
  };
  try {
    let first;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const info = await jsm.consumers.info(EVENTS_STREAM, EVENTS_CONSUMER).catch(() => undefined);
      const acked = info?.ack_floor.stream_seq ?? 0;
      if (!first && acked > 0) first = { at: performance.now(), acked, cpu: cpuSeconds() };
      if (info && info.num_pending === 0 && info.num_ack_pending === 0 && acked >= total) break;
      if (performance.now() - up > 1_800_000) throw new Error('not ingested within 30 minutes');
    }
    const events = total - first.acked;
    const seconds = (performance.now() - first.at) / 1000;
    const cpu = cpuSeconds() - first.cpu;
    const stats = await csm.call('/api/stats?from=0');
    if (stats.total !== messages) throw new Error(`${stats.total} messages stored, expected ${messages}`);
    const storage = process.env.MOAT_CLICKHOUSE ? 'ClickHouse server' : 'chdb';
    const build = options.csm ?? 'this commit';
    const row = `| ${build} | ${storage} | ${total} | ${days} | ${events} | ${seconds.toFixed(1)} | ${Math.round(events / seconds)} | ${(cpu / seconds).toFixed(2)} | ${Math.round(events / cpu)} | ${loadBefore} |`;
    log(`${events} events after the first batch in ${seconds.toFixed(1)} s: ${Math.round(events / seconds)} events/s, CSM at ${(cpu / seconds).toFixed(2)} cores (${Math.round(events / cpu)} events per CPU second); ${stats.total} messages stored`);
    if (options.out) appendFileSync(options.out, `${row}\n`);
    console.log(row);
  } finally {
    await csm.stop();
  }
} finally {
  await nc.close();
  await nats.stop();
  rmSync(workDir, { recursive: true, force: true });
}
