import { describe, expect, it } from 'vitest';
import { isMoatStream, natsReplicas, natsServers, withReplicas } from './replicas.js';

describe('JetStream replicas and servers', () => {
  it('reads MOAT_NATS_REPLICAS (1 to 5, default 1) and refuses anything else', () => {
    expect(natsReplicas({})).toBe(1);
    expect(natsReplicas({ MOAT_NATS_REPLICAS: ' 3 ' })).toBe(3);
    for (const bad of ['0', '6', 'three', '2.5', '-1']) expect(() => natsReplicas({ MOAT_NATS_REPLICAS: bad })).toThrow(/MOAT_NATS_REPLICAS must be/);
  });

  it('adds the count to bucket options', () => {
    expect(withReplicas({ history: 1 })).toEqual({ history: 1, replicas: natsReplicas() });
  });

  it("knows Moat's streams and splits a server list", () => {
    expect(['MOAT_EVENTS', 'KV_moat_config', 'OBJ_moat_models'].every(isMoatStream)).toBe(true);
    expect(['KV_other', 'ORDERS', 'OBJ_x'].some(isMoatStream)).toBe(false);
    expect(natsServers('nats://a:4222, nats://b:4222,,')).toEqual(['nats://a:4222', 'nats://b:4222']);
  });
});
