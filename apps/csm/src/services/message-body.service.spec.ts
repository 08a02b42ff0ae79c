import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryBodyStore, InMemoryConfigRepository, InMemoryEventStore, mailDetail, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { NotFoundError } from '../util/errors.js';
import { MessageBodyService } from './message-body.service.js';
import { PolicyService } from './policy.service.js';

describe('MessageBodyService', () => {
  let store: InMemoryEventStore;
  let bodies: InMemoryBodyStore;
  let policy: PolicyService;
  let service: MessageBodyService;
  const raw = Buffer.from('Subject: kept\r\n\r\nbody\r\n');

  beforeEach(async () => {
    store = new InMemoryEventStore();
    bodies = new InMemoryBodyStore();
    const config = new InMemoryConfigRepository();
    const audit = testAudit(store, config);
    policy = new PolicyService(config, audit, testConfig());
    await policy.bootstrapAndWatch().catch(() => undefined);
    await policy.put({ retention: { inbound: { bodies: 'all', days: 1 } } }, 'admin', 'keep all');
    service = new MessageBodyService(bodies, store, policy, audit);
    store.mail.set('m1', mailDetail('m1', { action: 'deliver', deliveryStatus: 'delivered' }));
  });

  it('serves a kept body before its expiry, audited, and 404 after it', async () => {
    bodies.bodies.set('m1', { raw, bucket: 'bodies', expiresAtMs: 2000 });
    expect(await service.download('m1', 'admin', 1999)).toEqual(raw);
    expect(store.audit.at(-1)).toMatchObject({ action: 'mail.body', target: 'm1', admin: 'admin', detail: `${raw.length} bytes from moat_bodies` });
    await expect(service.download('m1', 'admin', 2000)).rejects.toThrow(NotFoundError);
    await expect(service.download('m1', 'admin', 2000)).rejects.toThrow(/not kept: past its 1 days of retention/);
  });

  it('answers 404 for an unknown message, a body not kept, and any body under retention none', async () => {
    await expect(service.download('nope', 'admin')).rejects.toThrow(/no message with id nope/);
    await expect(service.download('m1', 'admin')).rejects.toThrow(/not kept \(retention all, 1 days\)/);
    bodies.bodies.set('m1', { raw, bucket: 'quarantine' });
    expect(await service.download('m1', 'admin')).toEqual(raw);
    await policy.put({ retention: { inbound: { bodies: 'none' } } }, 'admin', 'keep none');
    await expect(service.download('m1', 'admin')).rejects.toThrow(/not kept: the retention policy keeps no inbound bodies/);
  });

  it('views a kept body as parts, audited', async () => {
    bodies.bodies.set('m1', { raw, bucket: 'quarantine' });
    expect(await service.view('m1', 'admin')).toMatchObject({ subject: 'kept', text: 'body\n', html: '', attachments: [] });
    expect(store.audit.at(-1)).toMatchObject({ action: 'mail.body', target: 'm1', detail: 'viewed' });
  });

  it('sweeps expired bodies and reports the store size', async () => {
    bodies.bodies.set('old', { raw, bucket: 'bodies', expiresAtMs: 10 });
    bodies.bodies.set('new', { raw, bucket: 'bodies', expiresAtMs: 10_000 });
    expect(await service.sweep(100)).toBe(1);
    expect(await service.usage(0)).toEqual({ bytes: raw.length, messages: 1 });
  });
});
