import { isMoatStream, scaleStreams } from '@moat/bus';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { NatsCluster } from '../harness/nats-cluster.js';
import { waitFor } from '../harness/wait.js';

// Issue 17 (scale-out): the fleet on a real three-server JetStream cluster with MOAT_NATS_REPLICAS=3. Every
// stream, KV bucket and object store has three copies; mail and its events keep flowing while a server is down
// (the first one of MOAT_NATS_URL, which the processes connected through); streams made with fewer copies are
// scaled by the CSM's scaleStreams.
describe('a fleet on a three-server JetStream cluster', () => {
  let nats: NatsCluster;
  let cluster: TestCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    nats = await NatsCluster.start(3);
    cluster = await startCluster({ nodes: 2, natsUrl: nats.urls, env: { MOAT_NATS_REPLICAS: '3' } });
    nc = await connect({ servers: nats.servers.map((s) => s.url) });
  });

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
    await nats?.stop();
  });

  it('keeps three copies of every Moat stream, KV bucket and object store', async () => {
    const jsm = await jetstreamManager(nc);
    const copies = new Map<string, number>();
    for await (const info of jsm.streams.list()) if (isMoatStream(info.config.name)) copies.set(info.config.name, info.config.num_replicas);
    for (const name of ['MOAT_EVENTS', 'KV_moat_config', 'OBJ_moat_quarantine', 'OBJ_moat_models']) expect(copies.get(name), JSON.stringify([...copies])).toBe(3);
    expect([...copies.values()].every((n) => n === 3), JSON.stringify([...copies])).toBe(true);
  });

  it('scales a stream made with fewer copies to the configured count', async () => {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    await new Kvm(jetstream(nc, { timeout: 10_000 })).create('moat_scale_probe', { history: 1, replicas: 1 });
    expect(await scaleStreams(jsm, 3)).toEqual(['KV_moat_scale_probe: 1 -> 3']);
    // The two new copies are made in the background: the stream reports them once they are current.
    const info = await waitFor('three current copies of the probe', async () => {
      const probe = await jsm.streams.info('KV_moat_scale_probe');
      return probe.cluster?.replicas?.filter((r) => r.current).length === 2 ? probe : undefined;
    }, { timeoutMs: 60_000 });
    expect(info.config.num_replicas).toBe(3);
    expect(await scaleStreams(jsm, 3)).toEqual([]);
  });

  it('carries mail and its events while the first server is down, and takes the server back', async () => {
    const before = await cluster.sendMail(0, { from: 'a@remote.test', to: 'alice@example.test', subject: 'before the outage' });
    expect(before.accepted, before.response).toBe(true);
    await nats.kill(0);
    const during = await cluster.sendMail(1, { from: 'a@remote.test', to: 'bob@example.test', subject: 'during the outage' });
    expect(during.accepted, during.response).toBe(true);
    await cluster.waitForMailbox(2, (m) => m.subject === 'before the outage' || m.subject === 'during the outage');
    const rows = await waitFor('both messages in ClickHouse', async () => {
      const found = await cluster.searchMail(['--subject', 'outage']);
      return found.length === 2 ? found : undefined;
    }, { timeoutMs: 60_000 });
    expect(rows.map((r) => r.subject).sort()).toEqual(['before the outage', 'during the outage']);
    nats.startServer(0);
    await nats.waitForJetStream();
    const after = await cluster.sendMail(0, { from: 'a@remote.test', to: 'alice@example.test', subject: 'after the outage' });
    expect(after.accepted, after.response).toBe(true);
    await waitFor('the third message in ClickHouse', async () => ((await cluster.searchMail(['--subject', 'after the outage'])).length === 1 ? true : undefined), { timeoutMs: 60_000 });
  });
});
