import { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, testAudit, testConfig, testNodeCa } from '../testing/in-memory-repositories.js';
import { NotFoundError, UnavailableError } from '../util/errors.js';
import { ControlService } from './control.service.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { HoldsService } from './holds.service.js';
import { PolicyService } from './policy.service.js';

Logger.overrideLogger(false);

describe('HoldsService', () => {
  const setup = async () => {
    const store = new InMemoryEventStore();
    const config = new InMemoryConfigRepository();
    const audit = testAudit(store, config);
    const policy = new PolicyService(config, audit, testConfig());
    await policy.bootstrapAndWatch().catch(() => undefined);
    await policy.put(
      {
        domains: [
          { name: 'held.test', downstream: { host: 'mx' }, holds: [{ kind: 'daily', at: '02:00', durationMinutes: 60 }] },
          { name: 'plain.test', downstream: { host: 'mx' } },
        ],
      },
      'admin',
      'holds',
    );
    const fleet = new FleetService(config, audit, testConfig({ MOAT_ENROL_TOKEN: 'token', MOAT_HTTP_TLS: 'off' }), new ExportLogService(store), testNodeCa());
    const control = new ControlService();
    const beat = async (name: string, held: Array<{ domain: string; messages: number; bytes: number; oldestReceivedAtMs: number; releaseAtMs: number }>) => {
      const { nodeId } = await fleet.enrol({ token: 'token', nodeName: name, smtpAddress: '', softwareVersion: '' });
      fleet.heartbeat(nodeId, { nodeId, smtpAddress: '', policyVersion: 1, resources: undefined, softwareVersion: '', engineVersions: {}, startedAtMs: 0, metricsUrl: '', resolver: undefined, held });
      return nodeId;
    };
    return { service: new HoldsService(fleet, control, policy, audit), control, beat, store };
  };

  it('sums each domain across nodes: messages, bytes, the oldest, when the window ends; lists scheduled domains with nothing held', async () => {
    const { service, beat } = await setup();
    await beat('node-1', [{ domain: 'held.test', messages: 2, bytes: 200, oldestReceivedAtMs: 50, releaseAtMs: 9000 }]);
    await beat('node-2', [{ domain: 'held.test', messages: 3, bytes: 300, oldestReceivedAtMs: 40, releaseAtMs: 9000 }]);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const [view] = await service.list(now);
    expect(view).toMatchObject({ domain: 'held.test', messages: 5, bytes: 500, oldestReceivedAtMs: 40, releaseAtMs: 9000, nextHoldAtMs: Date.parse('2026-01-01T02:00:00Z') });
    expect(view?.nodes.map((n) => [n.nodeName, n.messages])).toEqual([['node-1', 2], ['node-2', 3]]);
    expect(await service.list(now)).toHaveLength(1);
  });

  it('asks every connected node to release, audits it, and refuses an unknown domain or no node', async () => {
    const { service, control, beat, store } = await setup();
    await expect(service.release('nowhere.test', 'admin')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.release('held.test', 'admin')).rejects.toBeInstanceOf(UnavailableError);
    const nodeId = await beat('node-1', []);
    control.attach(nodeId, { send: (c) => queueMicrotask(() => control.onReply(nodeId, { commandId: c.commandId, ok: true, error: '', detail: c.command?.$case === 'releaseHold' ? `released ${c.command.value.domain}` : '', modelVersion: '' })) });
    await expect(service.release(' Held.TEST ', 'admin')).resolves.toEqual({ domain: 'held.test', nodes: [{ nodeId, ok: true, detail: 'released held.test' }] });
    expect(store.audit.at(-1)).toMatchObject({ action: 'holds.release', target: 'held.test', detail: '1 of 1 node(s) released', ok: true });
  });
});
