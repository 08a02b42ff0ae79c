import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryQuarantine, mailDetail as mail, testAudit, testConfig, testNodeCa } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { ControlService } from './control.service.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { MailService, type MailPage } from './mail.service.js';
import { PolicyService } from './policy.service.js';

describe('MailService', () => {
  let store: InMemoryEventStore;
  let control: ControlService;
  let service: MailService;
  let fleet: FleetService;
  let quarantine: InMemoryQuarantine;
  let policy: PolicyService;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    control = new ControlService();
    const config = new InMemoryConfigRepository();
    const audit = testAudit(store, config);
    fleet = new FleetService(config, audit, testConfig({ MOAT_ENROL_TOKEN: 'token', MOAT_HTTP_TLS: 'off' }), new ExportLogService(store), testNodeCa());
    quarantine = new InMemoryQuarantine();
    policy = new PolicyService(config, audit, testConfig());
    await policy.bootstrapAndWatch().catch(() => undefined);
    service = new MailService(store, control, audit, fleet, quarantine, policy);
  });

  it('validates search parameters', async () => {
    await expect(service.searchByParams({ verdict: 'spam' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.searchByParams({ limit: '0' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.searchByParams({ match: 'some' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.searchByParams({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.search({ where: { or: [{ field: 'headers', value: 'x' }] } })).rejects.toThrow(InvalidInputError);
    await expect(service.search({ from: 2000, to: 1000 })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.searchByParams({ verdict: 'quarantine', limit: '5' })).resolves.toEqual({ messages: [], nextCursor: null });
  });

  it('pages with a cursor until the last page, and names each node', async () => {
    const { nodeId } = await fleet.enrol({ token: 'token', nodeName: 'mx-1', smtpAddress: '127.0.0.1:2525', softwareVersion: '1' });
    for (let n = 0; n < 5; n++) store.mail.set(`m${n}`, mail(`m${n}`, { receivedAtMs: n < 2 ? 100 : 100 + n, nodeId }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: MailPage = await service.search({ limit: 2, cursor: cursor ?? undefined });
      expect(page.messages.every((m) => m.nodeName === 'mx-1')).toBe(true);
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
  });

  it('releases through the receiving node and records the release as a delivery state', async () => {
    store.mail.set('m1', mail('m1'));
    control.attach('other', { send: () => undefined });
    control.attach('n1', { send: (c) => queueMicrotask(() => control.onReply('n1', { commandId: c.commandId, ok: true, error: '', detail: 'spooled', modelVersion: '' })) });
    await expect(service.release('m1', 'admin')).resolves.toEqual({ ok: true, nodeId: 'n1', detail: 'spooled' });
    expect(store.deliveries).toEqual([expect.objectContaining({ messageId: 'm1', nodeId: 'n1', result: expect.objectContaining({ status: 'released' }) })]);
    expect(store.audit.at(-1)).toMatchObject({ admin: 'admin', action: 'mail.release', target: 'm1', ok: true });
  });

  it('uses another connected node when the receiving one is not connected, and reports its refusal', async () => {
    store.mail.set('m1', mail('m1'));
    control.attach('n2', { send: (c) => queueMicrotask(() => control.onReply('n2', { commandId: c.commandId, ok: false, error: 'object missing', detail: '', modelVersion: '' })) });
    await expect(service.release('m1', 'admin')).resolves.toEqual({ ok: false, nodeId: 'n2', detail: 'object missing' });
    expect(store.deliveries).toEqual([]);
  });

  it('refuses what cannot be released', async () => {
    await expect(service.release('nope', 'admin')).rejects.toBeInstanceOf(NotFoundError);
    store.mail.set('delivered', mail('delivered', { action: 'deliver' }));
    await expect(service.release('delivered', 'admin')).rejects.toBeInstanceOf(ConflictError);
    store.mail.set('done', mail('done', { released: true }));
    await expect(service.release('done', 'admin')).rejects.toBeInstanceOf(ConflictError);
    store.mail.set('m1', mail('m1'));
    await expect(service.release('m1', 'admin')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('deletes a quarantined body, audited and recorded, and refuses to delete or release it again', async () => {
    store.mail.set('m1', mail('m1'));
    quarantine.bodies.add('m1');
    await service.deleteFromQuarantine('m1', 'admin');
    expect(quarantine.bodies.has('m1')).toBe(false);
    expect(store.deliveries).toEqual([expect.objectContaining({ messageId: 'm1', result: expect.objectContaining({ status: 'deleted', response: 'deleted by admin' }) })]);
    expect(store.audit.at(-1)).toMatchObject({ admin: 'admin', action: 'mail.delete', target: 'm1' });
    store.mail.set('m1', mail('m1', { deliveryStatus: 'deleted' }));
    await expect(service.deleteFromQuarantine('m1', 'admin')).rejects.toBeInstanceOf(ConflictError);
    await expect(service.release('m1', 'admin')).rejects.toThrow('deleted from the quarantine');
    store.mail.set('d1', mail('d1', { action: 'deliver' }));
    await expect(service.deleteFromQuarantine('d1', 'admin')).rejects.toBeInstanceOf(ConflictError);
  });

  it('exports every page of a search as CSV, audited, and refuses an unknown format', async () => {
    for (let n = 0; n < 3; n++) store.mail.set(`m${n}`, mail(`m${n}`, { receivedAtMs: 100 + n }));
    const file = await service.export({ format: 'csv', verdict: 'quarantine' }, 'admin');
    expect(file.rows).toBe(3);
    expect(file.bytes.toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(4);
    expect(store.audit.at(-1)).toMatchObject({ action: 'mail.export', target: 'csv', detail: '3 messages; verdict=quarantine' });
    await expect(service.export({ format: 'pdf' }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('shows a message with who released or deleted it, and audits the view', async () => {
    store.mail.set('m1', mail('m1'));
    quarantine.bodies.add('m1');
    await service.deleteFromQuarantine('m1', 'alice');
    const view = await service.view('m1', 'bob');
    expect(view.actions).toEqual([expect.objectContaining({ admin: 'alice', action: 'mail.delete', target: 'm1' })]);
    expect(view.verdict).toMatchObject({ byScore: 'quarantine', forced: false, summary: 'quarantine by score 12 (tag 5, quarantine 10, reject 15)' });
    expect(store.audit.at(-1)).toMatchObject({ admin: 'bob', action: 'mail.view', target: 'm1' });
  });
});
