import { beforeEach, describe, expect, it } from 'vitest';
import { MemorySessionRepository } from '../repositories/memory-session.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryLocalState, testAudit, testConfig, noDirectoryLogin } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError, UnauthenticatedError } from '../util/errors.js';
import { AdminsService } from './admins.service.js';
import { AuthService, type Principal } from './auth.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PolicyService } from './policy.service.js';
import { SessionService } from './session.service.js';
import { TenantsService } from './tenants.service.js';

const superAdmin: Principal = { username: 'admin', role: 'super-admin', tenant: 'default', mustChangePassword: false, viaCliToken: false };
const tenantAdmin: Principal = { username: 'tina', role: 'tenant-admin', tenant: 'default', mustChangePassword: false, viaCliToken: false };
const GOOD = 'correct horse battery';
const ADDRESS = '192.0.2.1';

describe('AdminsService', () => {
  let config: InMemoryConfigRepository;
  let store: InMemoryEventStore;
  let auth: AuthService;
  let admins: AdminsService;

  beforeEach(async () => {
    config = new InMemoryConfigRepository();
    store = new InMemoryEventStore();
    const audit = testAudit(store, config);
    const csmConfig = testConfig({ MOAT_ADMIN_PASSWORD: 'bootstrap-secret' });
    const sessions = new MemorySessionRepository();
    auth = new AuthService(config, new InMemoryLocalState(), audit, csmConfig, new LoginThrottleService(sessions), new SessionService(sessions, csmConfig), noDirectoryLogin());
    await auth.syncBootstrapAdmin();
    const policy = new PolicyService(config, audit, csmConfig);
    admins = new AdminsService(auth, audit, new TenantsService(config, policy, auth, audit));
  });

  it('adds an account with a generated password that must be changed at first login', async () => {
    const { admin, password } = await admins.add(superAdmin, { username: 'alice', role: 'approver' });
    expect(admin).toMatchObject({ username: 'alice', role: 'approver', tenant: 'default', mustChangePassword: true, totpEnabled: false });
    expect(password).toMatch(/^\S{16}$/);
    expect(JSON.stringify(config.admins.get('alice'))).not.toContain(password);
    const { token } = await auth.login('alice', password, ADDRESS);
    expect(await auth.authenticate(token)).toMatchObject({ username: 'alice', role: 'approver', mustChangePassword: true });
    await auth.changeOwnPassword('alice', password, GOOD, token);
    expect((await auth.authenticate(token))?.mustChangePassword).toBe(false);
    expect(store.audit.map((a) => [a.admin, a.action, a.target])).toEqual([
      ['admin', 'admin.add', 'alice'],
      ['alice', 'login', 'alice'],
      ['alice', 'admin.password', 'alice'],
    ]);
  });

  it('enforces the password rules on a given password', async () => {
    const problems = async (password: string) => ((await admins.add(superAdmin, { username: 'bob', role: 'auditor', password }).catch((e: unknown) => e)) as InvalidInputError).problems;
    expect(await problems('short')).toContain('password: at least 12 characters');
    expect(await problems('bob-is-my-name-ok')).toContain('password: must not contain the account name');
    expect(await problems('Password1234')).toContain('password: is a common password');
    expect(await problems('aaaaaaaaaaaaaa')).toContain('password: one character repeated');
    const { admin, password } = await admins.add(superAdmin, { username: 'bob', role: 'auditor', password: GOOD });
    expect(password).toBeUndefined();
    expect(admin.mustChangePassword).toBe(false);
  });

  it('refuses bad names, bad roles and taken names', async () => {
    await expect(admins.add(superAdmin, { username: 'a b', role: 'auditor' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(admins.add(superAdmin, { username: 'x'.repeat(65), role: 'auditor' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(admins.add(superAdmin, { username: 'carol', role: 'root' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(admins.add(superAdmin, { username: 'admin', role: 'auditor' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('lets a tenant admin manage only its own tenant, below super admin', async () => {
    await expect(admins.add(tenantAdmin, { username: 'boss', role: 'super-admin' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(admins.add(tenantAdmin, { username: 'other', role: 'auditor', tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(admins.add(superAdmin, { username: 'acme-auditor', role: 'auditor', tenant: 'acme' })).rejects.toBeInstanceOf(InvalidInputError);
    await config.createTenant({ id: 'acme', name: 'Acme', createdAtMs: 0 });
    await admins.add(superAdmin, { username: 'acme-auditor', role: 'auditor', tenant: 'acme' });
    await admins.add(tenantAdmin, { username: 'dave', role: 'auditor' });
    expect(admins.list(tenantAdmin).map((a) => a.username)).toEqual(['admin', 'dave']);
    expect(admins.list(superAdmin).map((a) => a.username)).toEqual(['acme-auditor', 'admin', 'dave']);
    // Another tenant's account is not found (F18: its existence does not leak).
    await expect(admins.remove(tenantAdmin, 'acme-auditor')).rejects.toBeInstanceOf(NotFoundError);
    await expect(admins.setRole(tenantAdmin, 'dave', { role: 'super-admin' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(admins.setPassword(tenantAdmin, 'admin', { password: GOOD })).rejects.toBeInstanceOf(PermissionDeniedError);
    await admins.remove(tenantAdmin, 'dave');
    expect(config.admins.has('dave')).toBe(false);
  });

  it('keeps the bootstrap admin and the caller itself', async () => {
    await expect(admins.remove(superAdmin, 'admin')).rejects.toBeInstanceOf(ConflictError);
    await admins.add(superAdmin, { username: 'erin', role: 'super-admin', password: GOOD });
    const erin: Principal = { ...superAdmin, username: 'erin' };
    await expect(admins.remove(erin, 'erin')).rejects.toBeInstanceOf(ConflictError);
    await expect(admins.setRole(erin, 'admin', { role: 'auditor' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('changes a role, in effect for the sessions already open, and audits old and new', async () => {
    await admins.add(superAdmin, { username: 'fay', role: 'auditor', password: GOOD });
    const { token } = await auth.login('fay', GOOD, ADDRESS);
    await admins.setRole(superAdmin, 'fay', { role: 'approver' });
    expect((await auth.authenticate(token))?.role).toBe('approver');
    expect(store.audit.at(-1)).toMatchObject({ admin: 'admin', action: 'admin.role', target: 'fay', detail: 'auditor/default -> approver/default' });
  });

  it("resets another account's password: its sessions end and it must change the password", async () => {
    await admins.add(superAdmin, { username: 'gus', role: 'auditor', password: GOOD });
    const { token } = await auth.login('gus', GOOD, ADDRESS);
    const { password } = await admins.setPassword(superAdmin, 'gus', {});
    expect(await auth.authenticate(token)).toBeUndefined();
    await expect(auth.login('gus', GOOD, ADDRESS)).rejects.toBeInstanceOf(UnauthenticatedError);
    const session = await auth.login('gus', password, ADDRESS);
    expect((await auth.authenticate(session.token))?.mustChangePassword).toBe(true);
  });

  it('ends the sessions of a removed account', async () => {
    await admins.add(superAdmin, { username: 'hal', role: 'auditor', password: GOOD });
    const { token } = await auth.login('hal', GOOD, ADDRESS);
    await admins.remove(superAdmin, 'hal');
    expect(await auth.authenticate(token)).toBeUndefined();
    expect(store.audit.at(-1)).toMatchObject({ admin: 'admin', action: 'admin.remove', target: 'hal' });
  });
});
