import { hashPassword, verifyPassword, type PasswordHash } from '@moat/credentials';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CsmConfig } from '../csm-config.js';
import { ConfigRepository, DEFAULT_TENANT, type AdminRecord, type Role } from '../repositories/config.repository.js';
import { LocalStateRepository } from '../repositories/local-state.repository.js';
import { ConflictError, InvalidInputError, UnauthenticatedError } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { randomSecret, safeEqual } from '../util/secrets.js';
import { newTotpSecret, totpStep, totpUri } from '../util/totp.js';
import { AuditService } from './audit.service.js';
import { DirectoryLoginService } from './directory-login.service.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { checkPassword } from './password-rules.js';
import { SessionService, type Session } from './session.service.js';

const WRONG_PASSWORD = 'wrong username or password';

/** The first administrator, a super admin; the local CLI token acts as it, so the audit log names it. */
export const BOOTSTRAP_ADMIN = 'admin';

/** Who is calling: the account behind a session token, or the bootstrap admin behind the local CLI token. */
export interface Principal {
  username: string;
  role: Role;
  tenant: string;
  mustChangePassword: boolean;
  /** Authenticated by the local CLI token (`moat` on the CSM's machine) rather than a login. */
  viaCliToken: boolean;
}

/** An administrator as the API shows it: never the password hash or the TOTP secret. */
export interface AdminView {
  username: string;
  role: Role;
  tenant: string;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export function adminView(record: AdminRecord): AdminView {
  const { username, role, tenant, mustChangePassword, createdAtMs, updatedAtMs } = record;
  return { username, role, tenant, mustChangePassword, totpEnabled: record.totp?.confirmed === true, createdAtMs, updatedAtMs };
}

/**
 * Administrator authentication: the bootstrap admin (password from MOAT_ADMIN_PASSWORD or generated and
 * printed once), scrypt-hashed passwords checked through LoginThrottleService, an optional TOTP second factor,
 * sessions from SessionService (shared by CSM replicas), and the local CLI token in <data>/cli-token, which acts
 * as the bootstrap admin. It keeps the admin records (from KV, cached in <data>/admins.json); AdminsService
 * changes them through it.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('auth');
  private readonly stopping = new AbortController();
  private readonly admins = new Map<string, AdminRecord>();
  /** The last TOTP time step each account logged in with on this replica: a code is good for one login. */
  private readonly usedTotpSteps = new Map<string, number>();
  private readonly cliToken = randomSecret();
  private dummyHash: PasswordHash | undefined;

  constructor(
    private readonly config: ConfigRepository,
    private readonly local: LocalStateRepository,
    private readonly audit: AuditService,
    private readonly csmConfig: CsmConfig,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionService,
    private readonly directoryLogin: DirectoryLoginService,
  ) {}

  /** Makes login work before NATS answers (admin cache, or the configured password), then syncs with KV. */
  async onApplicationBootstrap(): Promise<void> {
    await this.local.writeCliToken(this.cliToken);
    for (const record of await this.local.readAdminCache()) this.admins.set(record.username, record);
    const password = this.csmConfig.adminPassword;
    if (password && !(await this.matches(BOOTSTRAP_ADMIN, password))) this.admins.set(BOOTSTRAP_ADMIN, await newBootstrapAdmin(password));
    void retryUntilDone('admin account sync', () => this.syncBootstrapAdmin(), this.stopping.signal, this.logger);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /**
   * Ensures the bootstrap admin exists in the config of record and loads every admin record from it. A generated
   * password is printed exactly once, when the account is created; MOAT_ADMIN_PASSWORD, when set, is the admin's
   * password on every start.
   */
  async syncBootstrapAdmin(): Promise<void> {
    const configured = this.csmConfig.adminPassword;
    let record = await this.config.getAdmin(BOOTSTRAP_ADMIN);
    if (!record) {
      const password = configured ?? randomSecret(12);
      const created = await newBootstrapAdmin(password);
      if (await this.config.createAdmin(created)) {
        if (!configured) process.stdout.write(`admin password: ${password}\n`);
        this.logger.log(`created administrator ${BOOTSTRAP_ADMIN}`);
      }
      record = await this.config.getAdmin(BOOTSTRAP_ADMIN);
    } else if (configured && !(await verifyPassword(configured, record.password))) {
      record = { ...record, password: await hashPassword(configured), mustChangePassword: false, updatedAtMs: Date.now() };
      await this.config.putAdmin(record);
      this.logger.log(`administrator ${BOOTSTRAP_ADMIN}: password set from MOAT_ADMIN_PASSWORD`);
    }
    if (!record) throw new Error(`administrator ${BOOTSTRAP_ADMIN} vanished while it was being created`);
    const stored = await this.config.listAdmins();
    // Replaced in one step: a login meanwhile still finds the accounts.
    this.admins.clear();
    for (const admin of stored) this.admins.set(admin.username, admin);
    this.admins.set(record.username, record);
    await this.local.writeAdminCache([...this.admins.values()]);
  }

  /**
   * Logs in from CLIENTADDRESS with the password and, for an account with a second factor, a current TOTP code;
   * throttled per account and address, per address and fleet-wide (LockedOutError). A missing or wrong code counts
   * as a failed attempt, so the code cannot be guessed past the lockout.
   */
  async login(username: unknown, password: unknown, clientAddress: string, totp?: unknown): Promise<Session> {
    if (typeof username !== 'string' || typeof password !== 'string' || !username) throw new UnauthenticatedError('username and password are required');
    let refusal = WRONG_PASSWORD;
    const check = async () => {
      if (!(await this.matches(username, password))) return false;
      const factor = this.admins.get(username)?.totp;
      if (!factor?.confirmed) return true;
      if (typeof totp !== 'string' || totp === '') {
        refusal = 'this account needs a TOTP code: send totp with the password';
        return false;
      }
      const step = totpStep(factor.secret, totp);
      if (step === undefined || step <= (this.usedTotpSteps.get(username) ?? -1)) {
        refusal = 'wrong or already used TOTP code';
        return false;
      }
      this.usedTotpSteps.set(username, step);
      return true;
    };
    // Refusals by the throttle (LockedOutError) are not audited: a flood must not become an audit flood.
    const outcome = await this.throttle.attempt(username, clientAddress, check);
    if (!outcome.ok) {
      const locked = outcome.lockedUntilMs ? `; locked out until ${new Date(outcome.lockedUntilMs).toISOString()}` : '';
      await this.audit.recordQuietly({ admin: username, action: 'login', target: username, detail: `failed attempt ${outcome.failures} from ${clientAddress}${locked}${refusal === WRONG_PASSWORD ? '' : ` (${refusal})`}`, ok: false });
      throw new UnauthenticatedError(refusal);
    }
    const session = await this.sessions.open(username);
    const forced = this.admins.get(username)?.mustChangePassword ? '; password change required' : '';
    await this.audit.recordQuietly({ admin: username, action: 'login', target: username, detail: `from ${clientAddress}${forced}` });
    return session;
  }

  async logout(token: string): Promise<void> {
    const username = await this.sessions.resolve(token);
    await this.sessions.end(token);
    if (username) await this.audit.recordQuietly({ admin: username, action: 'logout', target: username });
  }

  /** The caller a bearer token belongs to, extending its session; undefined when invalid, expired or removed. */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (safeEqual(token, this.cliToken)) {
      const record = this.admins.get(BOOTSTRAP_ADMIN);
      return { username: BOOTSTRAP_ADMIN, role: 'super-admin', tenant: record?.tenant ?? DEFAULT_TENANT, mustChangePassword: false, viaCliToken: true };
    }
    const username = await this.sessions.resolve(token);
    const record = username === undefined ? undefined : this.admins.get(username);
    if (!record) return undefined;
    return { username: record.username, role: record.role, tenant: record.tenant, mustChangePassword: record.mustChangePassword, viaCliToken: false };
  }

  /** An administrator record as this CSM knows it (KV, cached). */
  admin(username: string): AdminRecord | undefined {
    return this.admins.get(username);
  }

  /** Every administrator record. */
  allAdmins(): AdminRecord[] {
    return [...this.admins.values()];
  }

  /** Changes the caller's own password (which ends a forced change); the current one must be given. */
  async changeOwnPassword(username: string, current: unknown, next: unknown, keepToken?: string): Promise<void> {
    const record = this.admins.get(username);
    if (!record) throw new UnauthenticatedError('login required');
    if (record.directory) throw new ConflictError('this account logs in with its directory password: change it in the directory');
    if (typeof current !== 'string' || !(await verifyPassword(current, record.password))) {
      await this.audit.recordQuietly({ admin: username, action: 'admin.password', target: username, detail: 'refused: wrong current password', ok: false });
      throw new InvalidInputError('the current password is wrong', ['currentPassword: wrong']);
    }
    const password = checkPassword(username, next);
    if (await verifyPassword(password, record.password)) throw new InvalidInputError('the new password must differ from the current one', ['password: same as the current one']);
    await this.audit.record({ admin: username, action: 'admin.password', target: username, detail: 'changed own password' });
    await this.storeAdmin({ ...record, password: await hashPassword(password), mustChangePassword: false, updatedAtMs: Date.now() });
    await this.endSessions(username, keepToken);
  }

  /** Starts enabling a second factor: a new secret (replacing one not yet confirmed); returns its otpauth:// URI. */
  async setupTotp(username: string): Promise<string> {
    const record = this.admins.get(username);
    if (!record) throw new UnauthenticatedError('login required');
    if (record.totp?.confirmed) throw new ConflictError('TOTP is already enabled for this account');
    const secret = newTotpSecret();
    await this.storeAdmin({ ...record, totp: { secret, confirmed: false }, updatedAtMs: Date.now() });
    return totpUri(secret, username);
  }

  /** Enables the second factor set up last, once CODE shows the authenticator app has it. */
  async confirmTotp(username: string, code: unknown): Promise<void> {
    const record = this.admins.get(username);
    if (!record) throw new UnauthenticatedError('login required');
    if (!record.totp) throw new ConflictError('no TOTP setup to confirm: POST /api/auth/totp/setup first');
    if (record.totp.confirmed) throw new ConflictError('TOTP is already enabled for this account');
    const step = typeof code === 'string' ? totpStep(record.totp.secret, code) : undefined;
    if (step === undefined) throw new InvalidInputError('the code does not match the TOTP secret', ['code: wrong or expired (6 digits from the authenticator app)']);
    await this.audit.record({ admin: username, action: 'auth.totp', target: username, detail: 'second factor enabled' });
    await this.storeAdmin({ ...record, totp: { ...record.totp, confirmed: true }, updatedAtMs: Date.now() });
    this.usedTotpSteps.set(username, step);
  }

  /** Stores a new administrator; false when the name is taken. */
  async createAdmin(record: AdminRecord): Promise<boolean> {
    if (!(await this.config.createAdmin(record))) return false;
    this.admins.set(record.username, record);
    await this.local.writeAdminCache([...this.admins.values()]);
    return true;
  }

  /** Stores a changed administrator record in KV and the local cache; it is in effect for the next call. */
  async storeAdmin(record: AdminRecord): Promise<void> {
    await this.config.putAdmin(record);
    this.admins.set(record.username, record);
    await this.local.writeAdminCache([...this.admins.values()]);
  }

  /** Removes an administrator and ends its sessions. */
  async removeAdmin(username: string): Promise<boolean> {
    const removed = await this.config.deleteAdmin(username);
    this.admins.delete(username);
    await this.endSessions(username);
    await this.local.writeAdminCache([...this.admins.values()]);
    return removed;
  }

  /** Ends the sessions of USERNAME on every replica, except the one with token KEEP. */
  endSessions(username: string, keep?: string): Promise<void> {
    return this.sessions.endAll(username, keep);
  }

  /** The password check: a bind at the tenant's directory for an account the directory sync made, else scrypt. */
  private async matches(username: string, password: string): Promise<boolean> {
    const record = this.admins.get(username);
    if (record?.directory) return this.directoryLogin.verify(record.tenant, record.directory.dn, password);
    // An unknown name costs the same scrypt work, so response times do not reveal which names exist.
    this.dummyHash ??= await hashPassword(randomSecret());
    const verified = await verifyPassword(password, record?.password ?? this.dummyHash);
    return record !== undefined && verified;
  }
}

async function newBootstrapAdmin(password: string): Promise<AdminRecord> {
  return newAdmin({ username: BOOTSTRAP_ADMIN, role: 'super-admin', tenant: DEFAULT_TENANT, mustChangePassword: false }, password);
}

/** A new administrator record with PASSWORD hashed. */
export async function newAdmin(account: Pick<AdminRecord, 'username' | 'role' | 'tenant' | 'mustChangePassword'>, password: string): Promise<AdminRecord> {
  const now = Date.now();
  return { ...account, password: await hashPassword(password), createdAtMs: now, updatedAtMs: now };
}
