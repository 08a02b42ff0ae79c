import { hashPassword } from '@moat/credentials';
import { Injectable } from '@nestjs/common';
import { DEFAULT_TENANT, ROLES, type AdminRecord, type Role } from '../repositories/config.repository.js';
import { ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError } from '../util/errors.js';
import { randomSecret } from '../util/secrets.js';
import { AuditService } from './audit.service.js';
import { adminView, AuthService, BOOTSTRAP_ADMIN, newAdmin, type AdminView, type Principal } from './auth.service.js';
import { checkPassword } from './password-rules.js';
import { TenantsService } from './tenants.service.js';

/** Account and tenant names: what a KV key and a log line carry safely. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface NewAdminInput {
  username?: unknown;
  role?: unknown;
  tenant?: unknown;
  password?: unknown;
}

/** A generated password, shown once to whoever created or reset the account. */
export interface GeneratedPassword {
  password?: string;
}

/**
 * Named administrators (F22): add, list, remove, reset a password, change a role. A super admin manages every
 * account; a tenant admin only accounts of its own tenant that are not super admins, and never makes one. The
 * bootstrap admin (the identity of the local CLI token) keeps its role and cannot be removed, so a super admin
 * always exists. Every change is audited before it is stored.
 */
@Injectable()
export class AdminsService {
  constructor(
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly tenants: TenantsService,
  ) {}

  list(actor: Principal): AdminView[] {
    return this.auth
      .allAdmins()
      .filter((record) => actor.role === 'super-admin' || record.tenant === actor.tenant)
      .map(adminView)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  /** Creates an account; without a password one is generated, returned once, and must be changed at first login. */
  async add(actor: Principal, input: NewAdminInput): Promise<{ admin: AdminView } & GeneratedPassword> {
    const username = nameField('username', input?.username);
    const role = roleField(input?.role);
    const tenant = input?.tenant === undefined ? actor.tenant || DEFAULT_TENANT : nameField('tenant', input.tenant);
    this.assertManages(actor, { role, tenant }, 'create');
    if (!(await this.tenants.exists(tenant))) throw new InvalidInputError(`no tenant ${tenant}`, [`tenant: no tenant ${tenant} (moat tenants list)`]);
    const generated = input?.password === undefined ? randomSecret(12) : undefined;
    const password = generated ?? checkPassword(username, input.password);
    if (this.auth.admin(username)) throw new ConflictError(`administrator ${username} already exists`);
    const record = await newAdmin({ username, role, tenant, mustChangePassword: generated !== undefined }, password);
    await this.audit.record({ admin: actor.username, action: 'admin.add', target: username, detail: `role ${role}, tenant ${tenant}` });
    if (!(await this.auth.createAdmin(record))) throw new ConflictError(`administrator ${username} already exists`);
    return { admin: adminView(record), ...(generated ? { password: generated } : {}) };
  }

  async remove(actor: Principal, username: string): Promise<void> {
    const record = this.existing(actor, username);
    if (username === actor.username) throw new ConflictError('an administrator cannot remove itself');
    if (username === BOOTSTRAP_ADMIN) throw new ConflictError(`${BOOTSTRAP_ADMIN} is the bootstrap super admin (and the local CLI token's identity); it cannot be removed`);
    this.assertManages(actor, record, 'remove');
    await this.audit.record({ admin: actor.username, action: 'admin.remove', target: username, detail: `role ${record.role}, tenant ${record.tenant}` });
    await this.auth.removeAdmin(username);
  }

  /**
   * Sets USERNAME's password. The caller's own needs the current one (POST /api/auth/password does the same);
   * another account's is a reset: given or generated, the owner must change it at the next login.
   */
  async setPassword(actor: Principal, username: string, body: { password?: unknown; currentPassword?: unknown }, token?: string): Promise<GeneratedPassword> {
    if (username === actor.username && !actor.viaCliToken) {
      await this.auth.changeOwnPassword(username, body?.currentPassword, body?.password, token);
      return {};
    }
    const record = this.existing(actor, username);
    this.assertManages(actor, record, 'set the password of');
    if (record.directory) throw new ConflictError(`${username} logs in with its directory password (${record.directory.dn}): change it in the directory`);
    const generated = body?.password === undefined ? randomSecret(12) : undefined;
    const password = generated ?? checkPassword(username, body.password);
    await this.audit.record({ admin: actor.username, action: 'admin.password', target: username, detail: generated ? 'reset to a generated password' : 'reset by an administrator' });
    // Only the bootstrap admin through the local CLI token sets its own password here, and it chose it.
    const mustChangePassword = generated !== undefined || username !== actor.username;
    await this.auth.storeAdmin({ ...record, password: await hashPassword(password), mustChangePassword, updatedAtMs: Date.now() });
    await this.auth.endSessions(username);
    return generated ? { password: generated } : {};
  }

  /** Changes an account's role (and tenant); its sessions carry the new role from their next call. */
  async setRole(actor: Principal, username: string, body: { role?: unknown; tenant?: unknown }): Promise<AdminView> {
    const record = this.existing(actor, username);
    if (username === actor.username) throw new ConflictError('an administrator cannot change its own role');
    if (username === BOOTSTRAP_ADMIN) throw new ConflictError(`${BOOTSTRAP_ADMIN} is the bootstrap super admin; its role cannot change`);
    const role = roleField(body?.role);
    const tenant = body?.tenant === undefined ? record.tenant : nameField('tenant', body.tenant);
    this.assertManages(actor, record, 'change the role of');
    this.assertManages(actor, { role, tenant }, 'grant');
    if (!(await this.tenants.exists(tenant))) throw new InvalidInputError(`no tenant ${tenant}`, [`tenant: no tenant ${tenant} (moat tenants list)`]);
    await this.audit.record({ admin: actor.username, action: 'admin.role', target: username, detail: `${record.role}/${record.tenant} -> ${role}/${tenant}` });
    const changed = { ...record, role, tenant, updatedAtMs: Date.now() };
    await this.auth.storeAdmin(changed);
    return adminView(changed);
  }

  /** USERNAME's account; NotFoundError also when it is another tenant's than a tenant's caller (F18). */
  private existing(actor: Principal, username: string): AdminRecord {
    const record = this.auth.admin(username);
    if (!record || (actor.role !== 'super-admin' && record.tenant !== actor.tenant)) throw new NotFoundError(`no administrator ${username}`);
    return record;
  }

  /** A super admin manages every account; a tenant admin those of its tenant below super admin. */
  private assertManages(actor: Principal, target: { role: Role; tenant: string }, what: string): void {
    if (actor.role === 'super-admin') return;
    if (actor.role === 'tenant-admin' && target.role !== 'super-admin' && target.tenant === actor.tenant) return;
    throw new PermissionDeniedError(`a ${actor.role} of tenant ${actor.tenant} may not ${what} a ${target.role} of tenant ${target.tenant}`);
  }
}

function nameField(field: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new InvalidInputError(`${field} is not a valid name`, [`${field}: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`]);
  }
  return value;
}

function roleField(value: unknown): Role {
  if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value)) throw new InvalidInputError('role is not a role', [`role: one of ${ROLES.join(', ')}`]);
  return value as Role;
}
