import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryQuarantine, mailDetail as mail, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { PolicyService } from './policy.service.js';
import { DAY_MS, QuarantineService, sweepIntervalMs, type QuarantinePage } from './quarantine.service.js';

const sym = (name: string, score = 0) => ({ name, score, detail: '', stage: 'data' });

describe('QuarantineService', () => {
  let store: InMemoryEventStore;
  let quarantine: InMemoryQuarantine;
  let policy: PolicyService;
  let fleet: FleetService;
  let service: QuarantineService;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    quarantine = new InMemoryQuarantine();
    const config = new InMemoryConfigRepository();
    const audit = testAudit(store, config);
    policy = new PolicyService(config, audit, testConfig());
    await policy.bootstrapAndWatch().catch(() => undefined);
    fleet = new FleetService(config, audit, testConfig({ MOAT_ENROL_TOKEN: 'token' }), new ExportLogService(store));
    service = new QuarantineService(store, quarantine, policy, audit, fleet);
    const now = Date.now();
    store.mail.set('virus', mail('virus', { receivedAtMs: now - 1000, symbols: [sym('AV_VIRUS')], rcptTo: ['alice@example.test'] }));
    store.mail.set('exe', mail('exe', { receivedAtMs: now - 2000, symbols: [sym('ATTACHMENT_BLOCKED_EXTENSION')], rcptTo: ['bob@example.test'] }));
    store.mail.set('spam', mail('spam', { receivedAtMs: now - 3000, symbols: [sym('BAYES_SPAM', 11)], rcptTo: ['alice@example.test'] }));
    store.mail.set('held', mail('held', { receivedAtMs: now - 4000, action: 'hold', rcptTo: ['alice@example.test'] }));
    store.mail.set('gone', mail('gone', { receivedAtMs: now - 5000, deliveryStatus: 'deleted' }));
    store.mail.set('out', mail('out', { receivedAtMs: now - 6000, released: true, deliveryStatus: 'delivered' }));
    store.mail.set('clean', mail('clean', { receivedAtMs: now - 7000, action: 'deliver', deliveryStatus: 'delivered' }));
    for (const id of store.mail.keys()) quarantine.bodies.add(id);
  });

  it('lists what is held now by reason, with counts, recipient filter and expiry', async () => {
    const page = await service.list({});
    expect(page.messages.map((m) => [m.id, m.reason])).toEqual([['virus', 'virus'], ['exe', 'attachment'], ['spam', 'spam'], ['held', 'hold']]);
    expect(page.counts).toEqual({ virus: 1, attachment: 1, dlp: 0, authentication: 0, spam: 1, hold: 1 });
    expect(page).toMatchObject({ total: 4, days: 30, truncated: false, nextCursor: null });
    const [virus] = page.messages;
    expect(virus?.expiresAtMs).toBe((virus?.receivedAtMs ?? 0) + 30 * DAY_MS);
    expect(virus).toMatchObject({ reasonSymbols: ['AV_VIRUS'], nodeName: 'n1' });
    expect((await service.list({ reason: 'spam' })).messages.map((m) => m.id)).toEqual(['spam']);
    const bob = await service.list({ rcpt: 'BOB@' });
    expect(bob.messages.map((m) => m.id)).toEqual(['exe']);
    expect(bob.counts.attachment).toBe(1);
    expect(bob.total).toBe(1);
  });

  it('pages with a cursor within a reason filter', async () => {
    store.mail.set('spam2', mail('spam2', { receivedAtMs: 10, symbols: [sym('BAYES_SPAM', 11)] }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: QuarantinePage = await service.list({ reason: 'spam', limit: '1', cursor: cursor ?? undefined });
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['spam', 'spam2']);
  });

  it('refuses a bad query with every problem named', async () => {
    const err = await service.list({ reason: 'malware', limit: '0', from: '2000', to: '1000' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).problems).toEqual([expect.stringMatching(/^limit/), expect.stringMatching(/^from: must be before to/), expect.stringMatching(/^reason: must be one of virus, attachment/)]);
    await expect(service.list({ from: 'yesterday' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.list({ cursor: 'nope' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('expires what was held longer than quarantine.days: audited as system, body deleted, tracking says expired', async () => {
    await policy.put({ quarantine: { days: 1 } }, 'admin', 'one day');
    const now = Date.now();
    store.mail.set('old', mail('old', { receivedAtMs: now - 2 * DAY_MS, nodeId: 'n2' }));
    quarantine.bodies.add('old');
    expect(await service.sweep(now)).toBe(1);
    expect(quarantine.bodies.has('old')).toBe(false);
    expect(quarantine.bodies.has('virus')).toBe(true);
    expect(store.deliveries).toEqual([expect.objectContaining({ messageId: 'old', nodeId: 'n2', result: expect.objectContaining({ status: 'expired', response: 'expired after 1 days in the quarantine' }) })]);
    expect(store.audit.at(-1)).toMatchObject({ admin: 'system', action: 'quarantine.expire', target: 'old', detail: 'held longer than quarantine.days (1)' });
  });

  it('survives a failing store and sweeps more often for a short period', async () => {
    store.failInserts = new Error('clickhouse down');
    store.mail.set('old', mail('old', { receivedAtMs: 1 }));
    expect(await service.sweep()).toBe(0);
    expect(sweepIntervalMs(30)).toBe(10 * 60_000);
    expect(sweepIntervalMs(0.001)).toBe(8640);
    expect(sweepIntervalMs(0.00001)).toBe(5000);
  });
});
