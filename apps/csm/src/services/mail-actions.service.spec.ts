import { beforeEach, describe, expect, it } from 'vitest';
import type { MailDetail } from '../repositories/event-store.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryModelRepository, InMemoryQuarantine, testConfig, testAudit, testNodeCa } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { ClassifierService } from './classifier.service.js';
import { ControlService } from './control.service.js';
import { FleetService } from './fleet.service.js';
import { MailActionsService } from './mail-actions.service.js';
import { MailService } from './mail.service.js';
import { PolicyService } from './policy.service.js';

const held = (id: string, overrides: Partial<MailDetail> = {}) =>
  ({ id, nodeId: 'n1', action: 'quarantine', released: false, deliveryStatus: 'quarantined', receivedAtMs: 1, ...overrides }) as MailDetail;

describe('MailActionsService', () => {
  let store: InMemoryEventStore;
  let quarantine: InMemoryQuarantine;
  let control: ControlService;
  let actions: MailActionsService;

  beforeEach(() => {
    store = new InMemoryEventStore();
    quarantine = new InMemoryQuarantine();
    control = new ControlService();
    const config = new InMemoryConfigRepository();
    const audit = testAudit(store, config);
    const fleet = new FleetService(config, audit, testConfig(), new ExportLogService(store), testNodeCa());
    const policy = new PolicyService(config, audit, testConfig());
    const mail = new MailService(store, control, audit, fleet, quarantine, policy);
    actions = new MailActionsService(mail, new ClassifierService(new InMemoryModelRepository(), policy, control, mail, audit, testConfig()));
  });

  it('deletes many, reporting each message that cannot be deleted without stopping', async () => {
    for (const id of ['a', 'b']) {
      store.mail.set(id, held(id));
      quarantine.bodies.add(id);
    }
    store.mail.set('sent', held('sent', { action: 'deliver' }));
    const result = await actions.run({ action: 'delete', ids: ['a', 'sent', 'missing', 'b', 'a'] }, 'admin');
    expect(result).toMatchObject({ action: 'delete', ok: 2, failed: 2 });
    expect(result.results.map((r) => [r.id, r.ok])).toEqual([['a', true], ['sent', false], ['missing', false], ['b', true]]);
    expect(result.results[1]?.detail).toMatch(/not quarantined/);
    expect(quarantine.bodies.size).toBe(0);
    expect(store.audit.filter((e) => e.action === 'mail.delete').map((e) => e.target)).toEqual(['a', 'b']);
  });

  it('releases many through a connected node', async () => {
    store.mail.set('a', held('a'));
    control.attach('n1', { send: (c) => queueMicrotask(() => control.onReply('n1', { commandId: c.commandId, ok: true, error: '', detail: 'queued', modelVersion: '' })) });
    await expect(actions.run({ action: 'release', ids: ['a'] }, 'admin')).resolves.toMatchObject({ ok: 1, results: [{ id: 'a', ok: true, nodeId: 'n1', detail: 'queued' }] });
  });

  it('refuses an unknown action or a bad id list', async () => {
    for (const body of [{ action: 'forward', ids: ['a'] }, { action: 'delete', ids: [] }, { action: 'delete', ids: [3] }, { action: 'delete', ids: Array(1001).fill('x') }, null]) {
      await expect(actions.run(body, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
