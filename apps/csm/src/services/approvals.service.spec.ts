import { beforeEach, describe, expect, it } from 'vitest';
import type { ControlCommand } from '@moat/proto/grpc';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryQuarantine, mailDetail as mail, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, UnavailableError } from '../util/errors.js';
import { ApprovalsService } from './approvals.service.js';
import { ControlService } from './control.service.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { MailService } from './mail.service.js';
import { PolicyService } from './policy.service.js';

const held = (id: string, overrides: Parameters<typeof mail>[1] = {}) => mail(id, { action: 'hold', direction: 'outbound', deliveryStatus: 'held', ...overrides });

describe('ApprovalsService', () => {
  let store: InMemoryEventStore;
  let control: ControlService;
  let quarantine: InMemoryQuarantine;
  let service: ApprovalsService;
  let sent: ControlCommand[];

  beforeEach(async () => {
    store = new InMemoryEventStore();
    control = new ControlService();
    const config = new InMemoryConfigRepository();
    const audit = testAudit(store, config);
    const fleet = new FleetService(config, audit, testConfig({ MOAT_ENROL_TOKEN: 'token' }), new ExportLogService(store));
    quarantine = new InMemoryQuarantine();
    const policy = new PolicyService(config, audit, testConfig());
    await policy.bootstrapAndWatch().catch(() => undefined);
    service = new ApprovalsService(new MailService(store, control, audit, fleet, quarantine, policy), control, audit, policy);
    sent = [];
  });

  const connect = (ok = true) =>
    control.attach('n1', {
      send: (c) => {
        sent.push(c);
        queueMicrotask(() => control.onReply('n1', { commandId: c.commandId, ok, error: ok ? '' : 'not in quarantine', detail: ok ? `${c.command?.$case} done` : '', modelVersion: '' }));
      },
    });

  it('lists held outbound mail not yet decided', async () => {
    store.mail.set('m1', held('m1'));
    store.mail.set('m2', held('m2', { released: true }));
    store.mail.set('m3', held('m3', { deliveryStatus: 'deleted' }));
    expect((await service.list()).map((m) => m.id)).toEqual(['m1']);
  });

  it('gives each listed message the approval rules and DLP findings that held it', async () => {
    const symbol = (name: string, detail: string) => ({ name, score: 0, detail, stage: 'data' });
    store.mail.set('m1', held('m1', { symbols: [symbol('SPF_PASS', 'ok'), symbol('APPROVAL_RULE', 'zip outside: attachment zip'), symbol('DLP_RRN', '5 distinct (900101-1******) in 1'), symbol('DLP_TRUNCATED', 'limit')] }));
    store.mail.set('m2', held('m2'));
    const listed = await service.listWithReasons();
    expect(Object.fromEntries(listed.map((m) => [m.id, m.reasons]))).toEqual({
      m1: ['APPROVAL_RULE zip outside: attachment zip', 'DLP_RRN 5 distinct (900101-1******) in 1'],
      m2: [],
    });
  });

  it('approves by releasing, audited as approvals.approve', async () => {
    store.mail.set('m1', held('m1'));
    connect();
    await expect(service.approve('m1', 'ann')).resolves.toEqual({ id: 'm1', decision: 'approved', nodeId: 'n1', detail: 'release done' });
    expect(store.audit.slice(-2).map((a) => a.action)).toEqual(['mail.release', 'approvals.approve']);
  });

  it('rejects: the node tells the sender with the reason, then the body is deleted; audited', async () => {
    store.mail.set('m1', held('m1'));
    connect();
    await expect(service.reject('m1', { reason: 'no\r\nway' }, 'ann')).resolves.toMatchObject({ decision: 'rejected', nodeId: 'n1' });
    expect(sent.map((c) => c.command)).toEqual([{ $case: 'reject', value: { messageId: 'm1', reason: 'no  way' } }]);
    expect(store.audit.slice(-2).map((a) => [a.action, a.detail ?? ''])).toEqual([
      ['approvals.reject', 'no  way; via node n1'],
      ['mail.delete', ''],
    ]);
    expect(store.deliveries.at(-1)).toMatchObject({ messageId: 'm1', result: { status: 'deleted' } });
  });

  it('keeps the message when the node cannot tell the sender, or no node is connected', async () => {
    store.mail.set('m1', held('m1'));
    await expect(service.reject('m1', {}, 'ann')).rejects.toBeInstanceOf(UnavailableError);
    connect(false);
    await expect(service.reject('m1', {}, 'ann')).rejects.toThrow('not in quarantine');
    expect(store.deliveries).toEqual([]);
  });

  it('refuses what is not awaiting a decision, and a bad reason', async () => {
    store.mail.set('in', mail('in', { action: 'hold' }));
    store.mail.set('q', mail('q', { direction: 'outbound' }));
    store.mail.set('done', held('done', { released: true }));
    store.mail.set('m1', held('m1'));
    for (const id of ['in', 'q', 'done']) await expect(service.approve(id, 'ann')).rejects.toBeInstanceOf(ConflictError);
    await expect(service.reject('m1', { reason: 'x'.repeat(501) }, 'ann')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.reject('m1', { reason: 5 }, 'ann')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("rejects held mail past the policy's approvalExpiryHours (72 by default), telling the sender why", async () => {
    const hour = 3_600_000;
    store.mail.set('old', held('old', { receivedAtMs: 1000 }));
    store.mail.set('new', held('new', { receivedAtMs: 1000 + 72 * hour }));
    connect();
    await expect(service.expire(1000 + 72 * hour)).resolves.toEqual(['old']);
    expect(sent.map((c) => c.command)).toEqual([{ $case: 'reject', value: { messageId: 'old', reason: 'not approved within 72 hours' } }]);
    expect(store.audit.at(-2)).toMatchObject({ admin: 'system:approval-expiry', action: 'approvals.reject' });
  });
});
