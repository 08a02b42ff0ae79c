import { KvFleetState } from '@moat/fleet-state/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nats } from '../scan-node/support/scan-node.js';

describe('KvFleetState on a real nats-server', () => {
  let nats: Nats;
  let a: NatsConnection;
  let b: NatsConnection;

  beforeAll(async () => {
    nats = await Nats.start();
    [a, b] = await Promise.all([nats.client(), nats.client()]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await nats?.stop();
  });

  it('sums hits of two nodes, including hits made at the same moment', async () => {
    const nodeA = new KvFleetState(() => a);
    const nodeB = new KvFleetState(() => b);
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? nodeA : nodeB).counters.hit('sender x@example.test', 60)));
    expect(await nodeA.counters.hit('sender x@example.test', 60)).toBe(11);
    expect(await nodeB.counters.hit('sender x@example.test', 60)).toBe(12);
    expect(await nodeB.counters.hit('sender y@example.test', 60)).toBe(1);
  });

  it('lets one node only win a compare-and-set on a greylist record', async () => {
    const nodeA = new KvFleetState(() => a);
    const nodeB = new KvFleetState(() => b);
    const created = await Promise.all([nodeA.greylist.create('triplet', 'a'), nodeB.greylist.create('triplet', 'b')]);
    expect(created.filter(Boolean)).toHaveLength(1);
    const read = (await nodeB.greylist.get('triplet'))!;
    const updated = await Promise.all([nodeA.greylist.update('triplet', 'x', read.revision), nodeB.greylist.update('triplet', 'y', read.revision)]);
    expect(updated.filter(Boolean)).toHaveLength(1);
    expect(await nodeA.greylist.get('absent')).toBeUndefined();
  });

  it('reports the state unavailable at once without a connection', async () => {
    const offline = new KvFleetState(() => undefined);
    await expect(offline.counters.hit('k', 60)).rejects.toThrow(/fleet state unavailable/);
  });
});
