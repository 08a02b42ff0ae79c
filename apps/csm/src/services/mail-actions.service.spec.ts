import { beforeEach, describe, expect, it } from 'vitest';
import type { MailDetail } from '../repositories/event-store.repository.js';
import { InMemoryBodyStore, InMemoryConfigRepository, InMemoryEventStore, InMemoryModelRepository, InMemoryQuarantine, testConfig, testAudit, testNodeCa } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { ClassifierService } from './classifier.service.js';
import { ControlService } from './control.service.js';
import { FleetService } from './fleet.service.js';
import { MailActionsService } from './mail-actions.service.js';
import { MailService } from './mail.service.js';
import { MessageBodyService } from './message-body.service.js';
import { PolicyService } from './policy.service.js';

const held = (id: string, overrides: Partial<MailDetail> = {}) =>
  ({ id, nodeId: 'n1', action: 'quarantine', released: false, deliveryStatus: 'quarantined', receivedAtMs: 1, ...overrides }) as MailDetail;

describe('MailActionsService', () => {
  let store: InMemoryEventStore;
  let quarantine: InMemoryQuarantine;
  let control: ControlService;
  let actions: MailActionsService;
  let bodies: InMemoryBodyStore;
  let policy: PolicyService;

  beforeEach(() => {
    store = new InMemoryEventStore();
    quarantine = new InMemoryQuarantine();
    control = new ControlService();
    const config = new InMemoryConfigRepository();
    const audit = testAudit(store, config);
    const fleet = new FleetService(config, audit, testConfig(), new ExportLogService(store), testNodeCa());
    policy = new PolicyService(config, audit, testConfig());
    const mail = new MailService(store, control, audit, fleet, quarantine, policy);
    bodies = new InMemoryBodyStore();
    const messageBodies = new MessageBodyService(bodies, store, policy, audit, control);
    actions = new MailActionsService(mail, new ClassifierService(new InMemoryModelRepository(), policy, control, mail, audit, testConfig()), messageBodies);
  });

  it('forwards kept bodies to an address through a node, with a trace header, audited; a body not kept fails alone', async () => {
    await policy.bootstrapAndWatch().catch(() => undefined);
    await policy.put({ domains: [{ name: 'example.test', downstream: { host: '127.0.0.1', port: 2600 } }] }, 'admin', 'a domain');
    for (const id of ['a', 'b']) store.mail.set(id, held(id));
    bodies.bodies.set('a', { raw: Buffer.from('Subject: a\r\n\r\nbody\r\n'), bucket: 'quarantine' });
    const sent: unknown[] = [];
    control.attach('n1', {
      send: (c) => {
        sent.push(c.command);
        queueMicrotask(() => control.onReply('n1', { commandId: c.commandId, ok: true, error: '', detail: 'queued as X', modelVersion: '' }));
      },
    });
    const result = await actions.run({ action: 'forward', ids: ['a', 'b'], to: 'review@elsewhere.test' }, 'alice');
    expect(result).toMatchObject({ action: 'forward', ok: 1, failed: 1, results: [{ id: 'a', ok: true, detail: 'queued as X' }, { id: 'b', ok: false }] });
    expect(result.results[1]?.detail).toMatch(/not kept/);
    expect(sent).toEqual([{ $case: 'forward', value: { messageId: 'a', mailFrom: 'postmaster@example.test', to: 'review@elsewhere.test', raw: Buffer.from('X-Moat-Admin-Forward: message a by alice to review@elsewhere.test\r\nSubject: a\r\n\r\nbody\r\n') } }]);
    expect(store.audit.filter((e) => e.action === 'mail.forward')).toEqual([expect.objectContaining({ admin: 'alice', target: 'a', detail: 'to review@elsewhere.test via node n1' })]);
  });

  it('refuses to forward without an address or to something that is not one', async () => {
    await expect(actions.run({ action: 'forward', ids: ['a'] }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    store.mail.set('a', held('a'));
    for (const to of ['nobody', 'a b@c.test', 'x@localhost', 'x@c.test\r\nBcc: y@d.test']) {
      await expect(actions.run({ action: 'forward', ids: ['a'], to }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    }
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
    for (const body of [{ action: 'shred', ids: ['a'] }, { action: 'delete', ids: [] }, { action: 'delete', ids: [3] }, { action: 'delete', ids: Array(1001).fill('x') }, null]) {
      await expect(actions.run(body, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
