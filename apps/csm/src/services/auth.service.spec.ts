import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryLocalState, testConfig } from '../testing/in-memory-repositories.js';
import { LockedOutError, UnauthenticatedError } from '../util/errors.js';
import { AuditService } from './audit.service.js';
import { AuthService, CLI_USER, LOCKOUT_MS, SESSION_TIMEOUT_MS } from './auth.service.js';

describe('AuthService', () => {
  let config: InMemoryConfigRepository;
  let local: InMemoryLocalState;
  let store: InMemoryEventStore;
  const make = (env: Record<string, string> = {}) => new AuthService(config, local, new AuditService(store), testConfig(env));

  beforeEach(() => {
    config = new InMemoryConfigRepository();
    local = new InMemoryLocalState();
    store = new InMemoryEventStore();
  });
  afterEach(() => vi.useRealTimers());

  it('generates the admin password, prints it once, and stores only a scrypt hash', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const first = make();
    await first.syncBootstrapAdmin();
    await make().syncBootstrapAdmin();
    const printed = write.mock.calls.map(([text]) => String(text)).filter((t) => t.startsWith('admin password: '));
    write.mockRestore();
    expect(printed).toHaveLength(1);
    const password = printed[0]!.slice('admin password: '.length).trim();
    const stored = config.admins.get('admin')!;
    expect(stored.password.algorithm).toBe('scrypt');
    expect(JSON.stringify(stored)).not.toContain(password);
    expect(local.adminCache).toEqual([stored]);
    await expect(first.login('admin', password)).resolves.toMatchObject({ token: expect.any(String) });
  });

  it('takes MOAT_ADMIN_PASSWORD as the password, also over an existing account', async () => {
    await make({ MOAT_ADMIN_PASSWORD: 'first' }).syncBootstrapAdmin();
    const service = make({ MOAT_ADMIN_PASSWORD: 'second' });
    await service.syncBootstrapAdmin();
    await expect(service.login('admin', 'first')).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(service.login('admin', 'second')).resolves.toBeDefined();
  });

  it('logs in from the admin cache while the config of record is unreachable', async () => {
    await make({ MOAT_ADMIN_PASSWORD: 'cached' }).syncBootstrapAdmin();
    config.admins.clear();
    const offline = make();
    await offline.onApplicationBootstrap();
    offline.onApplicationShutdown();
    await expect(offline.login('admin', 'cached')).resolves.toBeDefined();
  });

  it('locks a name out for 5 minutes after 5 failed logins, even with the right password', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const service = make({ MOAT_ADMIN_PASSWORD: 'right' });
    await service.syncBootstrapAdmin();
    for (let i = 0; i < 5; i++) await expect(service.login('admin', 'wrong')).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(service.login('admin', 'right')).rejects.toBeInstanceOf(LockedOutError);
    vi.setSystemTime(Date.now() + LOCKOUT_MS + 1);
    await expect(service.login('admin', 'right')).resolves.toBeDefined();
    expect(store.audit.filter((a) => a.action === 'login' && !a.ok)).toHaveLength(6);
  });

  it('expires sessions after 30 idle minutes, extending them on each use', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const service = make({ MOAT_ADMIN_PASSWORD: 'pw' });
    await service.syncBootstrapAdmin();
    const { token } = await service.login('admin', 'pw');
    vi.setSystemTime(Date.now() + SESSION_TIMEOUT_MS - 1000);
    expect(service.authenticate(token)).toBe('admin');
    vi.setSystemTime(Date.now() + SESSION_TIMEOUT_MS - 1000);
    expect(service.authenticate(token)).toBe('admin');
    vi.setSystemTime(Date.now() + SESSION_TIMEOUT_MS + 1);
    expect(service.authenticate(token)).toBeUndefined();
    expect(service.authenticate('made-up')).toBeUndefined();
  });

  it('accepts the local CLI token it wrote', async () => {
    const service = make({ MOAT_ADMIN_PASSWORD: 'pw' });
    await service.onApplicationBootstrap();
    service.onApplicationShutdown();
    expect(service.authenticate(local.cliToken.trim())).toBe(CLI_USER);
  });
});
