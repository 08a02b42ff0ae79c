import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository } from '../repositories/memory-session.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryLocalState, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../util/errors.js';
import { AdminsService } from './admins.service.js';
import { AuthService, type Principal } from './auth.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PolicyService } from './policy.service.js';
import { SessionService } from './session.service.js';
import { TenantsService } from './tenants.service.js';

const superAdmin: Principal = { username: 'admin', role: 'super-admin', tenant: 'default', mustChangePassword: false, viaCliToken: false };

describe('TenantsService', () => {
  let config: InMemoryConfigRepository;
  let store: InMemoryEventStore;
  let policy: PolicyService;
  let admins: AdminsService;
  let tenants: TenantsService;

  beforeEach(async () => {
    config = new InMemoryConfigRepository();
    store = new InMemoryEventStore();
    const audit = testAudit(store, config);
    const csmConfig = testConfig({ MOAT_ADMIN_PASSWORD: 'bootstrap-secret' });
    const sessions = new MemorySessionRepository();
    const auth = new AuthService(config, new InMemoryLocalState(), audit, csmConfig, new LoginThrottleService(sessions), new SessionService(sessions, csmConfig));
    await auth.syncBootstrapAdmin();
    policy = new PolicyService(config, audit, csmConfig);
    await policy.bootstrapAndWatch().catch(() => undefined);
    tenants = new TenantsService(config, policy, auth, audit);
    admins = new AdminsService(auth, audit, tenants);
  });

  it('adds a tenant with its first policy, lists it beside default, and refuses a taken id or domain', async () => {
    await policy.put({ domains: [{ name: 'example.test', downstream: { host: 'mx' } }] }, 'admin', '');
    const acme = await tenants.add(superAdmin, { id: 'acme', name: 'Acme', domains: ['acme.test'], downstream: 'mx.acme.test:2525' });
    expect(acme).toMatchObject({ id: 'acme', name: 'Acme', domains: ['acme.test'], policyVersion: 1, admins: 0 });
    expect((await policy.of('acme').get()).policy.domains[0]?.downstream).toMatchObject({ host: 'mx.acme.test', port: 2525 });
    expect((await tenants.list()).map((t) => [t.id, t.domains])).toEqual([
      ['default', ['example.test']],
      ['acme', ['acme.test']],
    ]);
    expect(store.audit.map((e) => e.action)).toContain('tenant.add');

    await expect(tenants.add(superAdmin, { id: 'acme' })).rejects.toBeInstanceOf(ConflictError);
    await expect(tenants.add(superAdmin, { id: 'default' })).rejects.toBeInstanceOf(ConflictError);
    // A domain of another tenant leaves no tenant behind.
    await expect(tenants.add(superAdmin, { id: 'thief', domains: ['example.test'], downstream: 'mx' })).rejects.toBeInstanceOf(ConflictError);
    expect(config.tenants.has('thief')).toBe(false);
  });

  it('explains a bad tenant', async () => {
    const err = await tenants.add(superAdmin, { id: 'Not Valid', domains: ['a.test'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).problems).toEqual([expect.stringMatching(/^id: /), expect.stringMatching(/^downstream: needed with domains/)]);
  });

  it('removes a tenant only when it has no domains or administrators, unless forced', async () => {
    await tenants.add(superAdmin, { id: 'acme', domains: ['acme.test'], downstream: 'mx' });
    await admins.add(superAdmin, { username: 'acme-admin', role: 'tenant-admin', tenant: 'acme', password: 'a long enough passphrase' });
    const refused = await tenants.remove(superAdmin, 'acme', false).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).problems).toEqual(['domain acme.test', 'administrator acme-admin']);
    await tenants.remove(superAdmin, 'acme', true);
    expect(config.admins.has('acme-admin')).toBe(false);
    await expect(policy.of('acme').get()).rejects.toBeInstanceOf(NotFoundError);
    await expect(tenants.remove(superAdmin, 'acme', true)).rejects.toBeInstanceOf(NotFoundError);
    await expect(tenants.remove(superAdmin, 'default', true)).rejects.toBeInstanceOf(ConflictError);
    expect(await tenants.exists('acme')).toBe(false);
  });
});
