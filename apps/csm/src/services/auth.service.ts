import { hashPassword, verifyPassword, type PasswordHash } from '@moat/credentials';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CsmConfig } from '../csm-config.js';
import { ConfigRepository, type AdminRecord } from '../repositories/config.repository.js';
import { LocalStateRepository } from '../repositories/local-state.repository.js';
import { UnauthenticatedError } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { randomSecret, safeEqual } from '../util/secrets.js';
import { AuditService } from './audit.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { SessionService, type Session } from './session.service.js';

export const BOOTSTRAP_ADMIN = 'admin';
/** The local CLI token authenticates as this name in the audit log. */
export const CLI_USER = 'cli';

/**
 * Administrator authentication: the bootstrap admin (password from MOAT_ADMIN_PASSWORD or generated and
 * printed once), scrypt-hashed passwords checked through LoginThrottleService, sessions from SessionService
 * (shared by CSM replicas), and the local CLI token in <data>/cli-token.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('auth');
  private readonly stopping = new AbortController();
  private readonly admins = new Map<string, AdminRecord>();
  private readonly cliToken = randomSecret();
  private dummyHash: PasswordHash | undefined;

  constructor(
    private readonly config: ConfigRepository,
    private readonly local: LocalStateRepository,
    private readonly audit: AuditService,
    private readonly csmConfig: CsmConfig,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionService,
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

  /** Logs in from CLIENTADDRESS; throttled per account and address, per address and fleet-wide (LockedOutError). */
  async login(username: unknown, password: unknown, clientAddress: string): Promise<Session> {
    if (typeof username !== 'string' || typeof password !== 'string' || !username) throw new UnauthenticatedError('username and password are required');
    const outcome = await this.throttle.attempt(username, clientAddress, () => this.matches(username, password));
    if (!outcome.ok) {
      const locked = outcome.lockedUntilMs ? `; locked out until ${new Date(outcome.lockedUntilMs).toISOString()}` : '';
      await this.audit.recordQuietly({ admin: username, action: 'login', target: username, detail: `failed attempt ${outcome.failures} from ${clientAddress}${locked}`, ok: false });
      throw new UnauthenticatedError('wrong username or password');
    }
    const session = await this.sessions.open(username);
    await this.audit.recordQuietly({ admin: username, action: 'login', target: username, detail: `from ${clientAddress}` });
    return session;
  }

  async logout(token: string): Promise<void> {
    const username = await this.sessions.resolve(token);
    await this.sessions.end(token);
    if (username) await this.audit.recordQuietly({ admin: username, action: 'logout', target: username });
  }

  /** The administrator a bearer token belongs to, extending its session; undefined when invalid or expired. */
  async authenticate(token: string): Promise<string | undefined> {
    if (safeEqual(token, this.cliToken)) return CLI_USER;
    return this.sessions.resolve(token);
  }

  private async matches(username: string, password: string): Promise<boolean> {
    const record = this.admins.get(username);
    // An unknown name costs the same scrypt work, so response times do not reveal which names exist.
    this.dummyHash ??= await hashPassword(randomSecret());
    const verified = await verifyPassword(password, record?.password ?? this.dummyHash);
    return record !== undefined && verified;
  }
}

async function newAdmin(username: string, password: string): Promise<AdminRecord> {
  const now = Date.now();
  return { username, password: await hashPassword(password), createdAtMs: now, updatedAtMs: now };
}
