import { describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import type { SpoolMeta } from '../spool/spool.js';
import { BodyArchive } from './body-archive.js';

const meta: SpoolMeta = { id: 'm1', receivedAtMs: 1000, mailFrom: 'a@remote.test', rcptTo: ['b@example.test'], clientIp: '192.0.2.1', helo: 'x', action: 'deliver', score: 0, policyVersion: 1 };

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined };
}

describe('BodyArchive', () => {
  it('keeps nothing unless the retention is "all"', async () => {
    let asked = 0;
    const log = recordingLog();
    const archive = new BodyArchive(() => (asked++, undefined), () => 'n1', log);
    archive.keep(meta, [Buffer.from('x')], 'inbound', { bodies: 'quarantined', days: 1 });
    archive.keep(meta, [Buffer.from('x')], 'inbound', { bodies: 'none', days: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(0);
    expect(log.warnings).toEqual([]);
  });

  it('logs, never throws, when NATS is unreachable', async () => {
    const log = recordingLog();
    new BodyArchive(() => undefined, () => 'n1', log).keep(meta, [Buffer.from('x')], 'inbound', { bodies: 'all', days: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.warnings).toEqual(['body of m1 not kept: NATS is unreachable']);
  });
});
