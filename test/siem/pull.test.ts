import { connect, type NatsConnection } from '@nats-io/transport-node';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventsStream } from '@moat/bus';
import { HeartbeatRequest } from '@moat/proto/grpc';
import { runMoat } from '../harness/moat-cli.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from '../csm/support/api.js';
import { messageEvent, publishDelivery, publishMessage } from '../csm/support/events.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm, type NatsServer } from '../csm/support/processes.js';
import { enrolNode, unary } from '../csm/support/node-client.js';

interface Exported {
  seq: number;
  id: string;
  kind: string;
  atMs: number;
  [field: string]: unknown;
}
interface EventPage {
  events: Exported[];
  cursor: string;
}

const ENROL_TOKEN = 'siem-enrol-token';

// GET /api/events through the real CSM (chdb, NATS): a reader that saves its cursor after every page sees every
// event exactly once, in order, across a CSM restart, replays of old events and events arriving meanwhile.
describe('event export: pull API with a durable cursor', () => {
  let nats: NatsServer;
  let csm: Csm;
  let nc: NatsConnection;
  let api: CsmApi;
  let dataDir: string;
  const run = Date.now().toString(36);
  const id = (n: number) => `${run}-${n}`;
  const delivered = (n: number) => ({ messageId: id(n), nodeId: 'node-test', recipient: 'alice@example.test', result: { status: 'delivered', downstream: 'mx.example.test:25', response: '250 ok', attempts: 1, atMs: Date.now(), tlsVersion: '' } });

  /** What the reader has seen, and the cursor it saved after its last page. */
  const seen: Exported[] = [];
  let saved = '';
  const readPage = async (limit: number) => {
    const page = await api.get<EventPage>(`/api/events?cursor=${saved}&limit=${limit}`);
    seen.push(...page.events);
    saved = page.cursor;
    return page.events.length;
  };
  const mine = () => seen.filter((e) => e.id.includes(run));

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    dataDir = await tempDir('moat-siem-pull-');
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ENROL_TOKEN: ENROL_TOKEN });
    api = await CsmApi.withCliToken(csm);
    nc = await connect({ servers: nats.url });
    await ensureEventsStream(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  it('pages through messages, findings, deliveries and audit entries in order, resuming across a CSM restart', async () => {
    for (let n = 0; n < 60; n++) await publishMessage(nc, messageEvent(id(n)));
    for (let n = 0; n < 10; n++) await publishDelivery(nc, delivered(n));
    await waitFor('130 events exported', async () => ((await api.get<EventPage>('/api/events?limit=1000')).events.filter((e) => e.id.includes(run)).length === 130 ? true : undefined));
    for (let pages = 0; pages < 2; pages++) await readPage(37);

    await csm.stop();
    // Meanwhile: new events, and replays of old ones under other Nats-Msg-Ids (as a node's journal replay could).
    for (let n = 60; n < 90; n++) await publishMessage(nc, messageEvent(id(n)));
    for (let n = 0; n < 5; n++) await publishMessage(nc, messageEvent(id(n)), `replay-${id(n)}`);
    await publishDelivery(nc, delivered(61));
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ENROL_TOKEN: ENROL_TOKEN });
    api = await CsmApi.withCliToken(csm);
    const listed = await api.call<{ version: number }>('POST', '/api/lists', { op: 'add', kind: 'ip-block', value: '203.0.113.77' });
    expect(listed.status).toBe(201);
    await publishMessage(nc, messageEvent(id(30)), `late-replay-${id(30)}`);
    await publishMessage(nc, messageEvent(id(90)));

    await waitFor('every event read', async () => {
      while ((await readPage(37)) > 0);
      return mine().length === 60 * 2 + 10 + 30 * 2 + 1 + 2 && seen.some((e) => e.kind === 'audit' && e.action === 'policy.change' && e.detail === 'list add ip-block 203.0.113.77') ? true : undefined;
    });

    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seqs = seen.map((e) => e.seq);
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    expect(mine().filter((e) => e.kind === 'message')).toHaveLength(91);
    expect(mine().filter((e) => e.kind === 'finding')).toHaveLength(91);
    expect(mine().filter((e) => e.kind === 'delivery')).toHaveLength(11);
    expect(mine().find((e) => e.id === `finding:${id(7)}:1`)).toMatchObject({ symbol: 'SUBJECT_TEST', symbolScore: 2.5, messageId: id(7), clientIp: '192.0.2.7', subject: `Subject of ${id(7)}` });
    expect(mine().find((e) => e.id === `delivery:${id(61)}:delivered:1:alice@example.test`)).toMatchObject({ kind: 'delivery', status: 'delivered', recipient: 'alice@example.test' });
  });

  it('answers the same events again from an old cursor, and refuses what is not a cursor', async () => {
    const again = await api.get<EventPage>(`/api/events?cursor=${seen[9]!.seq}&limit=5`);
    expect(again.events).toEqual(seen.slice(10, 15));
    expect(again.cursor).toBe(String(seen[14]!.seq));
    const tail = await api.get<EventPage>(`/api/events?cursor=${saved}`);
    expect(tail).toEqual({ events: [], cursor: saved });
    for (const query of ['cursor=abc', 'cursor=-5', 'cursor=1%27%20OR%201=1', 'limit=0', 'limit=5000']) {
      expect((await api.call('GET', `/api/events?${query}`)).status).toBe(400);
    }
    expect((await new CsmApi(csm).call('GET', '/api/events')).status).toBe(401);
  });

  it('moat events tail prints a page as JSON or CEF and the cursor to resume from', async () => {
    const env = { ...process.env, MOAT_CSM_URL: csm.baseUrl, MOAT_CSM_CA: join(dataDir, 'tls', 'cert.pem'), MOAT_TOKEN: (await readFile(join(dataDir, 'cli-token'), 'utf8')).trim() };
    const json = await runMoat(['events', 'tail', '--cursor', String(seen[19]!.seq), '--limit', '3'], env);
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Exported).id)).toEqual(seen.slice(20, 23).map((e) => e.id));
    expect(json.stderr.trim()).toBe(`cursor ${seen[22]!.seq}`);
    const cef = await runMoat(['events', 'tail', '--cursor', String(seen[22]!.seq), '--limit', '2', '--format', 'cef'], env);
    expect(cef.code).toBe(0);
    const lines = cef.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    lines.forEach((line, n) => expect(line).toMatch(new RegExp(`^CEF:0\\|Moat\\|Moat\\|[^|]+\\|[^|]+\\|[^|]+\\|\\d+\\|rt=\\d+ externalId=${seen[23 + n]!.id} cn1Label=seq cn1=${seen[23 + n]!.seq} `)));
    expect(cef.stderr.trim()).toBe(`cursor ${seen[24]!.seq}`);
    const bad = await runMoat(['events', 'tail', '--format', 'xml'], env);
    expect(bad.code).toBe(2);

    // --follow prints events as they arrive (stopped here by the harness's timeout).
    const following = runMoat(['events', 'tail', '--cursor', saved, '--follow'], env, 6000);
    await new Promise((r) => setTimeout(r, 2000));
    await publishMessage(nc, messageEvent(id(99)));
    const followed = await following;
    expect(followed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Exported).id)).toEqual([`message:${id(99)}`, `finding:${id(99)}:1`]);
    expect(followed.stderr).toMatch(/^cursor \d+\n$/);
    expect(followed.stderr).not.toContain(saved);
  });

  it('exports a node enrolment (audit), its first heartbeat (node up) and its silence (node down)', async () => {
    const { client, node, metadata: nodeMetadata } = await enrolNode(csm, ENROL_TOKEN, `node-${run}`);
    try {
      const metadata = nodeMetadata();
      const beat = HeartbeatRequest.fromPartial({ nodeId: node.nodeId, smtpAddress: '127.0.0.1:2525', policyVersion: 1, softwareVersion: '0.1.0', startedAtMs: Date.now() });
      await unary((cb) => client.heartbeat(beat, metadata, cb));
      await unary((cb) => client.heartbeat(beat, metadata, cb));
      const states = await waitFor(
        'node up and down',
        async () => {
          while ((await readPage(100)) > 0);
          const found = seen.filter((e) => (e.kind === 'node' && e.nodeId === node.nodeId) || (e.kind === 'audit' && e.target === node.nodeId)).map((e) => (e.kind === 'node' ? `node ${String(e.state)}` : `audit ${String(e.action)}`));
          return found.length === 3 ? found : undefined;
        },
        { timeoutMs: 40_000, intervalMs: 1000 },
      );
      expect(states).toEqual(['audit node.enrol', 'node up', 'node down']);
    } finally {
      client.close();
    }
  });
});
