import { describe, expect, it } from 'vitest';
import { statusSchema } from '../csm/api.js';
import { renderStatus } from './status.js';

const node = (name: string, resolver?: { source: string; servers: string[]; warning: string }) => ({
  id: `${name}-id`,
  name,
  smtpAddress: '127.0.0.1:2525',
  metricsUrl: 'http://127.0.0.1:9464/metrics',
  up: true,
  lastHeartbeatMs: 1_000,
  policyVersion: 3,
  ...(resolver ? { resolver } : {}),
});

describe('renderStatus', () => {
  it("shows each node's resolver and warns for a node whose sender authentication uses the system resolver", () => {
    const status = statusSchema.parse({
      policyVersion: 3,
      nats: { ok: true },
      clickhouse: { ok: true },
      nodes: [
        node('node-1', { source: 'configured', servers: ['10.0.0.53', '10.0.0.54:5353'], warning: '' }),
        node('node-2', { source: 'system', servers: ['127.0.0.53'], warning: "sender authentication runs on the machine's resolver" }),
        node('node-3'),
      ],
    });
    const text = renderStatus(status, 2_000);
    const rows = text.split('\n');
    expect(rows.find((r) => r.startsWith('NODE'))).toMatch(/POLICY +DNS$/);
    expect(rows.find((r) => r.startsWith('node-1'))).toMatch(/10\.0\.0\.53, 10\.0\.0\.54:5353$/);
    expect(rows.find((r) => r.startsWith('node-2'))).toMatch(/system 127\.0\.0\.53$/);
    expect(rows.find((r) => r.startsWith('node-3'))).toMatch(/ -$/);
    expect(rows.at(-1)).toBe("warning: node-2: sender authentication runs on the machine's resolver");
  });
});

describe('renderStatus of a revoked node', () => {
  it('says revoked rather than up or down', () => {
    const status = statusSchema.parse({ policyVersion: 3, nats: { ok: true }, clickhouse: { ok: true }, nodes: [{ ...node('node-1'), up: false, revokedAtMs: 1_500 }, node('node-2')] });
    const rows = renderStatus(status, 2_000).split('\n');
    expect(rows.find((r) => r.startsWith('node-1'))).toMatch(/ revoked /);
    expect(rows.find((r) => r.startsWith('node-2'))).toMatch(/ yes /);
  });
});
