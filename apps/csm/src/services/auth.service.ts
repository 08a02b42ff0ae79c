import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CsmConfig } from '../csm-config.js';
import { ConfigRepository, type AdminRecord } from '../repositories/config.repository.js';
import { LocalStateRepository } from '../repositories/local-state.repository.js';
import { LockedOutError, UnauthenticatedError } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { hashPassword, randomSecret, safeEqual, verifyPassword, type PasswordHash } from '../util/secrets.js';
import { AuditService } from './audit.service.js';

export const BOOTSTRAP_ADMIN = 'admin';
/** The local CLI token authenticates as this name in the audit log. */
export const CLI_USER = 'cli';
export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 5 * 60 * 1000;

export interface Session {
  token: string;
  expiresAt: number;
}

interface SessionState {
  username: string;
  expiresAt: number;
}

interface FailureState {
  count: number;
  /** 0 while below the limit. */
  lockedUntil: number;
  lastAt: number;
}

/**
 * Administrator authentication: the bootstrap admin (password from MOAT_ADMIN_PASSWORD or generated and
 * printed once), scrypt-hashed passwords, random bearer tokens with a sliding 30-minute timeout, lockout after
 * 5 failed logins for 5 minutes, and the local CLI token in <data>/cli-token.
 *
 * Sessions and failure counters live in this process: a CSM restart logs everyone out and clears lockouts.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('auth');
  private readonly stopping = new AbortController();
  private readonly sessions = new Map<string, SessionState>();
  private readonly failures = new Map<string, FailureState>();
  private readonly admins = new Map<string, AdminRecord>();
  private readonly cliToken = randomSecret();
  private dummyHash: PasswordHash | undefined;

  constructor(
    private readonly config: ConfigRepository,
    private readonly local: LocalStateRepository,
    private readonly audit: AuditService,
    private readonly csmConfig: CsmConfig,
  ) {}

  /** Makes login work before NATS answers (admin cache, or the configured password), then syncs with KV. */
  async onApplicationBootstrap(): Promise<void> {
    await this.local.writeCliToken(this.cliToken);
    for (const record of await this.local.readAdminCache()) this.admins.set(record.username, record);
    const password = this.csmConfig.adminPassword;
    if (password && !(await this.matches(BOOTSTRAP_ADMIN, password))) this.admins.set(BOOTSTRAP_ADMIN, await newAdmin(BOOTSTRAP_ADMIN, password));
    void retryUntilDone('admin account sync', () => this.syncBootstrapAdmin(), this.stopping.signal, this.logger);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /**
   * Ensures the bootstrap admin exists in the config of record. A generated password is printed exactly once,
   * when the account is created; MOAT_ADMIN_PASSWORD, when set, is the admin's password on every start.
   */
  async syncBootstrapAdmin(): Promise<void> {
    const configured = this.csmConfig.adminPassword;
    let record = await this.config.getAdmin(BOOTSTRAP_ADMIN);
    if (!record) {
      const password = configured ?? randomSecret(12);
      const created = await newAdmin(BOOTSTRAP_ADMIN, password);
      if (await this.config.createAdmin(created)) {
        if (!configured) process.stdout.write(`admin password: ${password}\n`);
        this.logger.log(`created administrator ${BOOTSTRAP_ADMIN}`);
      }
      record = await this.config.getAdmin(BOOTSTRAP_ADMIN);
    } else if (configured && !(await verifyPassword(configured, record.password))) {
      record = { ...(await newAdmin(BOOTSTRAP_ADMIN, configured)), createdAtMs: record.createdAtMs };
      await this.config.putAdmin(record);
      this.logger.log(`administrator ${BOOTSTRAP_ADMIN}: password set from MOAT_ADMIN_PASSWORD`);
    }
    if (!record) throw new Error(`administrator ${BOOTSTRAP_ADMIN} vanished while it was being created`);
    this.admins.set(record.username, record);
    await this.local.writeAdminCache([...this.admins.values()]);
  }

  async login(username: unknown, password: unknown): Promise<Session> {
    if (typeof username !== 'string' || typeof password !== 'string' || !username) throw new UnauthenticatedError('username and password are required');
    const now = Date.now();
    const failure = this.failures.get(username);
    if (failure && failure.lockedUntil > now) {
      await this.audit.recordQuietly({ admin: username, action: 'login', target: username, detail: 'refused: locked out', ok: false });
      throw new LockedOutError(`too many failed logins; try again after ${new Date(failure.lockedUntil).toISOString()}`, failure.lockedUntil - now);
    }
    if (!(await this.matches(username, password))) {
      // A lockout that has run out starts the count again.
      const count = (failure && !failure.lockedUntil ? failure.count : 0) + 1;
      this.failures.set(username, { count, lockedUntil: count >= MAX_FAILED_LOGINS ? now + LOCKOUT_MS : 0, lastAt: now });
      this.forgetStale(now);
      await this.audit.recordQuietly({ admin: username, action: 'login', target: username, detail: `failed attempt ${count}`, ok: false });
      throw new UnauthenticatedError('wrong username or password');
    }
    this.failures.delete(username);
    this.forgetStale(now);
    const token = randomSecret();
    const expiresAt = now + SESSION_TIMEOUT_MS;
    this.sessions.set(token, { username, expiresAt });
    await this.audit.recordQuietly({ admin: username, action: 'login', target: username });
    return { token, expiresAt };
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }

  /** The administrator a bearer token belongs to, extending its session; undefined when invalid or expired. */
  authenticate(token: string): string | undefined {
    if (safeEqual(token, this.cliToken)) return CLI_USER;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    const now = Date.now();
    if (session.expiresAt <= now) {
      this.sessions.delete(token);
      return undefined;
    }
    session.expiresAt = now + SESSION_TIMEOUT_MS;
    return session.username;
  }

  private async matches(username: string, password: string): Promise<boolean> {
    const record = this.admins.get(username);
    // An unknown name costs the same scrypt work, so response times do not reveal which names exist.
    this.dummyHash ??= await hashPassword(randomSecret());
    const verified = await verifyPassword(password, record?.password ?? this.dummyHash);
    return record !== undefined && verified;
  }

  /** Drops expired sessions and failure counters that no longer matter, so guessing names cannot grow memory. */
  private forgetStale(now: number): void {
    for (const [token, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(token);
    for (const [name, failure] of this.failures) {
      if (failure.lockedUntil ? failure.lockedUntil <= now : failure.lastAt < now - LOCKOUT_MS) this.failures.delete(name);
    }
  }
}

async function newAdmin(username: string, password: string): Promise<AdminRecord> {
  const now = Date.now();
  return { username, password: await hashPassword(password), createdAtMs: now, updatedAtMs: now };
}
