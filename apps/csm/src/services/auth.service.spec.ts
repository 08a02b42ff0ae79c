import { TOTP, URI } from 'otpauth';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemorySessionRepository } from '../repositories/memory-session.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryLocalState, testAudit, testConfig, noDirectoryLogin } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, LockedOutError, UnauthenticatedError } from '../util/errors.js';
import { AuthService, BOOTSTRAP_ADMIN } from './auth.service.js';
import { LOCKOUT_MS, LoginThrottleService } from './login-throttle.service.js';
import { SessionService } from './session.service.js';

const ADDRESS = '192.0.2.1';
const SESSION_TIMEOUT_MS = 30 * 60 * 1000;

describe('AuthService', () => {
  let config: InMemoryConfigRepository;
  let local: InMemoryLocalState;
  let store: InMemoryEventStore;
  let sessions: MemorySessionRepository;
  const make = (env: Record<string, string> = {}) => {
    const csmConfig = testConfig(env);
    return new AuthService(config, local, testAudit(store), csmConfig, new LoginThrottleService(sessions), new SessionService(sessions, csmConfig), noDirectoryLogin());
  };

  beforeEach(() => {
    config = new InMemoryConfigRepository();
    local = new InMemoryLocalState();
    store = new InMemoryEventStore();
    sessions = new MemorySessionRepository();
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
    await expect(first.login('admin', password, ADDRESS)).resolves.toMatchObject({ token: expect.any(String) });
  });

  it('takes MOAT_ADMIN_PASSWORD as the password, also over an existing account', async () => {
    await make({ MOAT_ADMIN_PASSWORD: 'first' }).syncBootstrapAdmin();
    const service = make({ MOAT_ADMIN_PASSWORD: 'second' });
    await service.syncBootstrapAdmin();
    await expect(service.login('admin', 'first', ADDRESS)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(service.login('admin', 'second', ADDRESS)).resolves.toBeDefined();
  });

  it('logs in from the admin cache while the config of record is unreachable', async () => {
    await make({ MOAT_ADMIN_PASSWORD: 'cached' }).syncBootstrapAdmin();
    config.admins.clear();
    const offline = make();
    await offline.onApplicationBootstrap();
    offline.onApplicationShutdown();
    await expect(offline.login('admin', 'cached', ADDRESS)).resolves.toBeDefined();
  });

  it('locks the name out from that address for 5 minutes after 5 failed logins, not from another, and audits each failure', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const service = make({ MOAT_ADMIN_PASSWORD: 'right' });
    await service.syncBootstrapAdmin();
    for (let i = 0; i < 5; i++) await expect(service.login('admin', 'wrong', ADDRESS)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(service.login('admin', 'right', ADDRESS)).rejects.toBeInstanceOf(LockedOutError);
    await expect(service.login('admin', 'right', '198.51.100.7')).resolves.toBeDefined();
    vi.setSystemTime(Date.now() + LOCKOUT_MS + 1);
    await expect(service.login('admin', 'right', ADDRESS)).resolves.toBeDefined();
    const failures = store.audit.filter((a) => a.action === 'login' && !a.ok);
    expect(failures).toHaveLength(5);
    expect(failures[4]?.detail).toMatch(/^failed attempt 5 from 192\.0\.2\.1; locked out until /);
  });

  it('expires sessions after 30 idle minutes, extending them on each use', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const service = make({ MOAT_ADMIN_PASSWORD: 'pw' });
    await service.syncBootstrapAdmin();
    const { token } = await service.login('admin', 'pw', ADDRESS);
    vi.setSystemTime(Date.now() + SESSION_TIMEOUT_MS - 1000);
    expect((await service.authenticate(token))?.username).toBe('admin');
    vi.setSystemTime(Date.now() + SESSION_TIMEOUT_MS - 1000);
    expect((await service.authenticate(token))?.role).toBe('super-admin');
    vi.setSystemTime(Date.now() + SESSION_TIMEOUT_MS + 1);
    expect(await service.authenticate(token)).toBeUndefined();
    expect(await service.authenticate('made-up')).toBeUndefined();
  });

  it('accepts the local CLI token it wrote, as the bootstrap super admin', async () => {
    const service = make({ MOAT_ADMIN_PASSWORD: 'pw' });
    await service.onApplicationBootstrap();
    service.onApplicationShutdown();
    expect(await service.authenticate(local.cliToken.trim())).toMatchObject({ username: BOOTSTRAP_ADMIN, role: 'super-admin', viaCliToken: true });
  });

  it('enables a TOTP second factor once a code confirms it; login then needs a fresh code', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const service = make({ MOAT_ADMIN_PASSWORD: 'pw' });
    await service.syncBootstrapAdmin();
    const uri = await service.setupTotp('admin');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Moat:admin\?/);
    const totp = URI.parse(uri);
    if (!(totp instanceof TOTP)) throw new Error('not a TOTP URI');
    await expect(service.login('admin', 'pw', ADDRESS)).resolves.toBeDefined();
    await expect(service.confirmTotp('admin', '000000')).rejects.toBeInstanceOf(InvalidInputError);
    await service.confirmTotp('admin', totp.generate());
    expect(JSON.stringify(store.audit)).not.toContain(totp.secret.base32);
    await expect(service.setupTotp('admin')).rejects.toBeInstanceOf(ConflictError);

    await expect(service.login('admin', 'pw', ADDRESS)).rejects.toThrow(/needs a TOTP code/);
    vi.setSystemTime(Date.now() + 30_000);
    const code = totp.generate();
    await expect(service.login('admin', 'pw', ADDRESS, code)).resolves.toBeDefined();
    await expect(service.login('admin', 'pw', ADDRESS, code)).rejects.toThrow(/already used/);
    await expect(service.login('admin', 'pw', ADDRESS, 'abcdef')).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(store.audit.filter((a) => a.action === 'auth.totp').map((a) => a.admin)).toEqual(['admin']);
    expect(store.audit.filter((a) => a.action === 'login' && !a.ok).map((a) => a.detail)).toEqual([
      'failed attempt 1 from 192.0.2.1 (this account needs a TOTP code: send totp with the password)',
      'failed attempt 1 from 192.0.2.1 (wrong or already used TOTP code)',
      'failed attempt 2 from 192.0.2.1 (wrong or already used TOTP code)',
    ]);
  });

  it('changes its own password only with the current one, and ends its other sessions', async () => {
    const service = make({ MOAT_ADMIN_PASSWORD: 'old-password' });
    await service.syncBootstrapAdmin();
    const mine = await service.login('admin', 'old-password', ADDRESS);
    const other = await service.login('admin', 'old-password', ADDRESS);
    await expect(service.changeOwnPassword('admin', 'wrong', 'a new long passphrase', mine.token)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.changeOwnPassword('admin', 'old-password', 'qwertyuiop12', mine.token)).rejects.toBeInstanceOf(InvalidInputError);
    await service.changeOwnPassword('admin', 'old-password', 'a new long passphrase', mine.token);
    expect(await service.authenticate(mine.token)).toBeDefined();
    expect(await service.authenticate(other.token)).toBeUndefined();
    await expect(service.login('admin', 'a new long passphrase', ADDRESS)).resolves.toBeDefined();
  });
});
