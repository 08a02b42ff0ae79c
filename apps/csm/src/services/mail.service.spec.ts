import { beforeEach, describe, expect, it } from 'vitest';
import type { MailDetail } from '../repositories/event-store.repository.js';
import { InMemoryEventStore, testAudit } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { ControlService } from './control.service.js';
import { MailService } from './mail.service.js';

function mail(id: string, overrides: Partial<MailDetail> = {}): MailDetail {
  return {
    id, receivedAtMs: 1, nodeId: 'n1', direction: 'inbound', mailFrom: 'a@b.test', rcptTo: ['c@d.test'], subject: 's', clientIp: '192.0.2.1',
    action: 'quarantine', score: 12, deliveryStatus: 'quarantined', released: false, tenant: 'default', clientHostname: '', helo: '', tls: false,
    authenticatedUser: '', headerFrom: '', headerTo: '', headerMessageId: '', headerDate: '', replyTo: '', urls: [], policyVersion: 1, sizeBytes: 10,
    smtpReply: '', timings: { sessionMs: 0, scanMs: 0, spoolMs: 0 }, symbols: [], attachments: [], deliveries: [], ...overrides,
  };
}

describe('MailService', () => {
  let store: InMemoryEventStore;
  let control: ControlService;
  let service: MailService;

  beforeEach(() => {
    store = new InMemoryEventStore();
    control = new ControlService();
    service = new MailService(store, control, testAudit(store));
  });

  it('validates search parameters', async () => {
    await expect(service.search({ verdict: 'spam' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.search({ limit: '0' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.search({ verdict: 'quarantine', limit: '5' })).resolves.toEqual([]);
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
});
