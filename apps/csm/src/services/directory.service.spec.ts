import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { MemorySessionRepository } from '../repositories/memory-session.repository.js';
import { FakeDirectory, InMemoryConfigRepository, InMemoryDirectoryConfig, InMemoryEventStore, InMemoryLocalState, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { AdminsService } from './admins.service.js';
import { AuditService } from './audit.service.js';
import { AuthService, type Principal } from './auth.service.js';
import { DirectoryLoginService } from './directory-login.service.js';
import { DirectoryService, parseSettings } from './directory.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PolicyService } from './policy.service.js';
import { SecretKeyService } from './secret-key.service.js';
import { SessionService } from './session.service.js';

const ROOT: Principal = { username: 'admin', role: 'super-admin', tenant: 'default', mustChangePassword: false, viaCliToken: false };
const SERVICE_DN = 'cn=reader,dc=example,dc=test';
const ALICE_DN = 'uid=alice,ou=people,dc=example,dc=test';
const SETTINGS = { url: 'ldap://127.0.0.1:389', bindDn: SERVICE_DN, bindPassword: 'reader-secret', baseDn: 'dc=example,dc=test', groupRoles: [{ group: 'moat-approvers', role: 'approver' }], scheduleMinutes: 30 };

describe('parseSettings', () => {
  it('fills the preset and names every bad field', () => {
    const { settings, password } = parseSettings({ ...SETTINGS, preset: 'active-directory' }, 'default', false);
    expect(settings).toMatchObject({ preset: 'active-directory', groupBaseDn: 'dc=example,dc=test', attributes: { login: 'sAMAccountName', aliases: ['proxyAddresses'] }, groupFilter: '(objectClass=group)' });
    expect(password).toBe('reader-secret');
    let problems: string[] = [];
    try {
      parseSettings({ url: 'http://x', startTls: 'yes', baseDn: '', userFilter: 'uid=*', attributes: { mail: 'm@il' }, groupRoles: [{ group: 'g', role: 'super-admin' }], scheduleMinutes: -1 }, 'default', false);
    } catch (err) {
      problems = err instanceof InvalidInputError ? err.problems : [];
    }
    expect(problems).toEqual([
      'url: ldap://host[:port] or ldaps://host[:port]',
      'startTls: true or false',
      'bindDn: required text of at most 1024 characters',
      'bindPassword: required the first time',
      'baseDn: required text of at most 1024 characters',
      'userFilter: an LDAP filter in parentheses, e.g. (objectClass=person)',
      'attributes.mail: an attribute name (a letter, then letters, digits or dashes)',
      'groupBaseDn: required text of at most 1024 characters',
      'groupRoles.0.role: one of tenant-admin, approver, auditor, end-user',
      'scheduleMinutes: whole minutes from 0 (on demand only) to 10080',
    ]);
    expect(() => parseSettings('not an object', 'default', true)).toThrow(InvalidInputError);
  });
});

describe('DirectoryService', () => {
  let store: InMemoryDirectoryConfig;
  let ldap: FakeDirectory;
  let policy: PolicyService;
  let auth: AuthService;
  let service: DirectoryService;
  let audit: AuditService;

  beforeEach(async () => {
    const config = new InMemoryConfigRepository();
    audit = testAudit(new InMemoryEventStore(), config);
    const csmConfig = testConfig({ MOAT_ADMIN_PASSWORD: 'bootstrap-secret', MOAT_SECRET_KEY: randomBytes(32).toString('base64') });
    store = new InMemoryDirectoryConfig();
    ldap = new FakeDirectory();
    ldap.passwords.set(SERVICE_DN, 'reader-secret');
    ldap.passwords.set(ALICE_DN, 'alice-ldap-secret');
    ldap.users = [{ dn: ALICE_DN, attributes: { uid: ['alice'], mail: ['alice@example.test'], cn: ['Alice'], mailAlternateAddress: [] } }];
    ldap.groups = [{ dn: 'cn=moat-approvers,ou=groups,dc=example,dc=test', attributes: { cn: ['moat-approvers'], member: [ALICE_DN] } }];
    const sessions = new MemorySessionRepository();
    auth = new AuthService(config, new InMemoryLocalState(), audit, csmConfig, new LoginThrottleService(sessions), new SessionService(sessions, csmConfig), new DirectoryLoginService(store, ldap));
    await auth.syncBootstrapAdmin();
    policy = new PolicyService(config, audit, csmConfig);
    await policy.bootstrapAndWatch().catch(() => undefined);
    await policy.put({ domains: [{ name: 'example.test', downstream: { host: 'mx' } }] }, 'admin', 'domain');
    service = new DirectoryService(store, ldap, policy, auth, audit, new SecretKeyService(csmConfig));
  });

  it('keeps the bind password sealed, never in the view, and keeps it when none is sent', async () => {
    const view = await service.update(ROOT, SETTINGS);
    expect(view.settings).toMatchObject({ hasBindPassword: true, url: 'ldap://127.0.0.1:389' });
    expect(JSON.stringify(view)).not.toContain('reader-secret');
    const sealed = store.settings.get('default')?.sealedBindPassword;
    expect(sealed).toMatch(/^aes256gcm:/);
    const { bindPassword: _dropped, ...withoutPassword } = SETTINGS;
    await service.update(ROOT, withoutPassword);
    expect(store.settings.get('default')?.sealedBindPassword).toBe(sealed);
  });

  it('refuses a sync without settings, and reports a refused bind as unavailable', async () => {
    await expect(service.sync('default', true, 'admin')).rejects.toThrow(NotFoundError);
    await service.update(ROOT, { ...SETTINGS, bindPassword: 'wrong' });
    await expect(service.sync('default', false, 'admin')).rejects.toThrow(UnavailableError);
    expect((await service.show('default')).lastSync).toMatchObject({ ok: false, error: 'Invalid Credentials' });
  });

  it('syncs: a dry run changes nothing; the sync makes the mapped administrator, who logs in by bind', async () => {
    await service.update(ROOT, SETTINGS);
    const before = (await policy.get()).version;
    const dry = await service.sync('default', true, 'admin');
    expect(dry.added.map((a) => a.address)).toEqual(['alice@example.test']);
    expect((await policy.get()).version).toBe(before);
    expect(auth.admin('alice')).toBeUndefined();
    const done = await service.sync('default', false, 'admin');
    expect(done.policyVersion).toBe(before + 1);
    expect(auth.admin('alice')).toMatchObject({ role: 'approver', directory: { dn: ALICE_DN } });
    await expect(auth.login('alice', 'wrong', '192.0.2.1')).rejects.toThrow();
    const session = await auth.login('alice', 'alice-ldap-secret', '192.0.2.1');
    expect(await auth.authenticate(session.token)).toMatchObject({ username: 'alice', role: 'approver' });
    await expect(auth.changeOwnPassword('alice', 'alice-ldap-secret', 'a new local passphrase')).rejects.toThrow(ConflictError);
    await expect(new AdminsService(auth, audit).setPassword(ROOT, 'alice', { password: 'a new local passphrase' })).rejects.toThrow(ConflictError);
    ldap.groups = [];
    const left = await service.sync('default', false, 'admin');
    expect(left.roles).toEqual([{ username: 'alice', role: null, change: 'revoke' }]);
    expect(auth.admin('alice')).toBeUndefined();
  });

  it('runs the schedule only once its period has passed since the last sync', async () => {
    await service.update(ROOT, SETTINGS);
    const searches = vi.spyOn(ldap, 'search');
    await service.runSchedule('default', Date.now());
    const first = (await service.show('default')).lastSync;
    expect(first).toMatchObject({ ok: true, author: 'schedule' });
    const at = first?.atMs ?? 0;
    await service.runSchedule('default', at + 29 * 60_000);
    expect(searches).toHaveBeenCalledTimes(1);
    await service.runSchedule('default', at + 30 * 60_000);
    expect(searches).toHaveBeenCalledTimes(2);
    expect((await policy.versions()).filter((v) => v.author === 'directory sync')).toHaveLength(1);
  });
});
