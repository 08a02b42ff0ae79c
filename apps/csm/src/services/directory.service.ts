import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DEFAULT_TENANT, type Role } from '../repositories/config.repository.js';
import {
  DirectoryConfigRepository,
  directorySettingsKey,
  type DirectoryAttributes,
  type DirectoryGroupRole,
  type DirectorySettings,
  type DirectoryState,
  type DirectorySyncReport,
} from '../repositories/directory-config.repository.js';
import { DirectoryRepository } from '../repositories/directory.repository.js';
import { errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { randomSecret } from '../util/secrets.js';
import { AuditService } from './audit.service.js';
import { AuthService, newAdmin, type Principal } from './auth.service.js';
import { directoryConnection } from './directory-login.service.js';
import { applyDirectory, DIRECTORY_ROLES, directoryDiff, readDirectory, type DirectoryDiff, type DirectoryRead } from './directory-sync.js';
import { PolicyService } from './policy.service.js';
import { SecretKeyService } from './secret-key.service.js';

/** The author of the policy versions and administrator changes a sync makes. */
export const DIRECTORY_SYNC_AUTHOR = 'directory sync';
const TICK_MS = 60_000;

type Preset = DirectorySettings['preset'];
type PresetFields = Pick<DirectorySettings, 'userFilter' | 'attributes' | 'groupFilter' | 'groupNameAttribute' | 'groupMemberAttribute'>;

/** Attribute names and filters of OpenLDAP (inetOrgPerson, groupOfNames) and Active Directory. */
export const DIRECTORY_PRESETS: Readonly<Record<Preset, PresetFields>> = {
  openldap: {
    userFilter: '(&(objectClass=inetOrgPerson)(mail=*))',
    attributes: { login: 'uid', mail: 'mail', aliases: ['mailAlternateAddress'], displayName: 'cn' },
    groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
    groupNameAttribute: 'cn',
    groupMemberAttribute: 'member',
  },
  'active-directory': {
    // Enabled people with an address (bit 2 of userAccountControl: disabled).
    userFilter: '(&(objectCategory=person)(objectClass=user)(mail=*)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
    attributes: { login: 'sAMAccountName', mail: 'mail', aliases: ['proxyAddresses'], displayName: 'displayName' },
    groupFilter: '(objectClass=group)',
    groupNameAttribute: 'cn',
    groupMemberAttribute: 'member',
  },
};

/** The settings as the API shows them: the bind password never, only whether one is stored. */
export type DirectorySettingsView = Omit<DirectorySettings, 'sealedBindPassword'> & { hasBindPassword: boolean };

export interface DirectoryView {
  settings: DirectorySettingsView | null;
  presets: typeof DIRECTORY_PRESETS;
  lastSync: DirectorySyncReport | null;
}

/**
 * LDAP / Active Directory sync per tenant (F2, F19): settings (bind password sealed at rest), a sync on demand or
 * every `scheduleMinutes`, and a dry run that reports the same lists without changing anything. A sync writes the
 * directory's accounts and aliases (recipients, and senders who authenticate by a bind), its groups (policy
 * `groups`) as one audited policy version by "directory sync", and the administrators of mapped groups.
 * Accounts from elsewhere (CSV import, API) are kept: the sync state remembers what the directory wrote.
 * Several CSM replicas each run the schedule; a sync that finds nothing new writes no policy version.
 */
@Injectable()
export class DirectoryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('directory');
  private readonly running = new Map<string, Promise<DirectorySyncReport>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DirectoryConfigRepository,
    private readonly directory: DirectoryRepository,
    private readonly policy: PolicyService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly secrets: SecretKeyService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runSchedule(DEFAULT_TENANT, Date.now()), TICK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async show(tenant: string): Promise<DirectoryView> {
    const [settings, state] = await Promise.all([this.store.getSettings(tenant), this.store.getState(tenant)]);
    return { settings: settings ? settingsView(settings) : null, presets: DIRECTORY_PRESETS, lastSync: state?.lastSync ?? null };
  }

  /** Replaces the tenant's settings (preset values fill what is not given); the stored password is kept unless one is given. */
  async update(actor: Principal, input: unknown): Promise<DirectoryView> {
    const tenant = actor.tenant || DEFAULT_TENANT;
    const existing = await this.store.getSettings(tenant);
    const { settings, password } = parseSettings(input, tenant, existing !== undefined);
    const sealedBindPassword = password === undefined ? (existing?.sealedBindPassword ?? '') : (await this.secrets.box()).seal(password, directorySettingsKey(tenant));
    const stored: DirectorySettings = { ...settings, sealedBindPassword };
    await this.audit.record({ admin: actor.username, action: 'directory.set', target: `tenant ${tenant}`, detail: `${stored.url} base ${stored.baseDn}${password === undefined ? '' : ', bind password changed'}` });
    await this.store.putSettings(stored);
    return this.show(tenant);
  }

  /** Syncs the tenant now (DRYRUN: reports only); one sync per tenant at a time, a second caller waits for it. */
  async sync(tenant: string, dryRun: boolean, requestedBy: string): Promise<DirectorySyncReport> {
    const before = this.running.get(tenant) ?? Promise.resolve(undefined);
    const next = before.catch(() => undefined).then(() => this.syncNow(tenant, dryRun, requestedBy));
    this.running.set(tenant, next);
    try {
      const report = await next;
      if (!report.ok) throw new UnavailableError(`directory sync failed: ${report.error ?? 'unknown error'}`);
      return report;
    } finally {
      if (this.running.get(tenant) === next) this.running.delete(tenant);
    }
  }

  /** Runs TENANT's scheduled sync when its period has passed since the last one (NOW in ms). */
  async runSchedule(tenant: string, now: number): Promise<void> {
    try {
      const [settings, state] = await Promise.all([this.store.getSettings(tenant), this.store.getState(tenant)]);
      if (!settings || settings.scheduleMinutes === 0) return;
      if (state?.lastSync && now - state.lastSync.atMs < settings.scheduleMinutes * 60_000) return;
      await this.sync(tenant, false, 'schedule');
    } catch (err) {
      this.logger.warn(`scheduled directory sync of tenant ${tenant}: ${errorMessage(err)}`);
    }
  }

  private async syncNow(tenant: string, dryRun: boolean, requestedBy: string): Promise<DirectorySyncReport> {
    const settings = await this.store.getSettings(tenant);
    if (!settings) throw new NotFoundError(`tenant ${tenant} has no directory settings: PUT /api/directory first`);
    const state = await this.store.getState(tenant);
    const atMs = Date.now();
    let report: DirectorySyncReport;
    try {
      const { read, diff } = await this.compute(settings, state);
      report = { atMs, dryRun, ok: true, author: requestedBy, ...diff };
      if (!dryRun) report.policyVersion = await this.apply(settings, state, diff, read);
    } catch (err) {
      report = { atMs, dryRun, ok: false, author: requestedBy, error: errorMessage(err), added: [], changed: [], removed: [], groups: [], roles: [], skipped: [] };
    }
    const summary = `${report.ok ? '' : `failed: ${report.error}; `}${report.added.length} added, ${report.changed.length} changed, ${report.removed.length} removed, ${report.groups.filter((g) => g.change !== 'same').length} groups changed, ${report.roles.length} roles changed${dryRun ? ' (dry run)' : ''}`;
    await this.audit.recordQuietly({ admin: requestedBy, action: dryRun ? 'directory.dry-run' : 'directory.sync', target: `tenant ${tenant}`, detail: summary, ok: report.ok });
    if (!dryRun) {
      const current = (await this.store.getState(tenant)) ?? { tenant, accounts: [], groups: [] };
      await this.store.putState({ ...current, lastSync: report });
    }
    this.logger.log(`directory sync of tenant ${tenant} by ${requestedBy}: ${summary}`);
    return report;
  }

  private async compute(settings: DirectorySettings, state: DirectoryState | undefined): Promise<{ read: DirectoryRead; diff: DirectoryDiff }> {
    const password = (await this.secrets.box()).open(settings.sealedBindPassword, directorySettingsKey(settings.tenant));
    const { attributes } = settings;
    const [users = [], groups = []] = await this.directory.search(directoryConnection(settings), settings.bindDn, password, [
      { baseDn: settings.baseDn, filter: settings.userFilter, attributes: [...new Set([attributes.login, attributes.mail, attributes.displayName, ...attributes.aliases])] },
      { baseDn: settings.groupBaseDn, filter: settings.groupFilter, attributes: [settings.groupNameAttribute, settings.groupMemberAttribute] },
    ]);
    const { policy } = await this.policy.get();
    const read = readDirectory(users, groups, settings, new Set(policy.domains.map((d) => d.name)));
    const tenantAdmins = this.auth.allAdmins().filter((a) => a.tenant === settings.tenant);
    return { read, diff: directoryDiff(state, read, policy, settings.groupRoles, tenantAdmins) };
  }

  /** Writes the policy version, then the administrators, then the state; returns the policy version in effect. */
  private async apply(settings: DirectorySettings, state: DirectoryState | undefined, diff: DirectoryDiff, read: DirectoryRead): Promise<number> {
    const changes = `${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed`;
    const stored = await this.policy.modify((policy) => applyDirectory(policy, state, read, directoryConnection(settings)), DIRECTORY_SYNC_AUTHOR, `directory sync: ${changes}`);
    for (const change of diff.roles) {
      const dn = read.accounts.find((a) => a.login === change.username)?.dn ?? '';
      if (change.change === 'revoke') {
        await this.audit.record({ admin: DIRECTORY_SYNC_AUTHOR, action: 'admin.remove', target: change.username, detail: 'left the directory groups mapped to a role' });
        await this.auth.removeAdmin(change.username);
      } else if (change.change === 'grant' && change.role) {
        const record = await newAdmin({ username: change.username, role: change.role, tenant: settings.tenant, mustChangePassword: false }, randomSecret());
        await this.audit.record({ admin: DIRECTORY_SYNC_AUTHOR, action: 'admin.add', target: change.username, detail: `role ${change.role}, tenant ${settings.tenant}, directory ${dn}` });
        await this.auth.createAdmin({ ...record, directory: { dn } });
      } else if (change.role) {
        const record = this.auth.admin(change.username);
        if (!record) continue;
        await this.audit.record({ admin: DIRECTORY_SYNC_AUTHOR, action: 'admin.role', target: change.username, detail: `${record.role} -> ${change.role} (directory ${dn})` });
        await this.auth.storeAdmin({ ...record, role: change.role, directory: { dn }, updatedAtMs: Date.now() });
      }
    }
    await this.store.putState({ tenant: settings.tenant, accounts: read.accounts, groups: read.groups.map((g) => g.name), ...(state?.lastSync ? { lastSync: state.lastSync } : {}) });
    return stored.version;
  }
}

function settingsView(settings: DirectorySettings): DirectorySettingsView {
  const { sealedBindPassword, ...rest } = settings;
  return { ...rest, hasBindPassword: sealedBindPassword !== '' };
}

const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const URL = /^ldaps?:\/\/[^\s/]{1,300}\/?$/i;

/** Validates a PUT /api/directory body; every problem is named (400). */
export function parseSettings(input: unknown, tenant: string, hasPassword: boolean): { settings: Omit<DirectorySettings, 'sealedBindPassword'>; password: string | undefined } {
  const body = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: string[] = [];
  const preset = body['preset'] ?? 'openldap';
  if (preset !== 'openldap' && preset !== 'active-directory') problems.push('preset: openldap or active-directory');
  const defaults = DIRECTORY_PRESETS[preset === 'active-directory' ? 'active-directory' : 'openldap'];
  const text = (field: string, fallback: string | undefined, max = 1024): string => {
    const value = body[field] ?? fallback;
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
      problems.push(`${field}: required text of at most ${max} characters`);
      return '';
    }
    return value.trim();
  };
  const filter = (field: string, fallback: string): string => {
    const value = text(field, fallback);
    if (value !== '' && !(value.startsWith('(') && value.endsWith(')'))) problems.push(`${field}: an LDAP filter in parentheses, e.g. (objectClass=person)`);
    return value;
  };
  const attribute = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || !ATTRIBUTE.test(value)) {
      problems.push(`${field}: an attribute name (a letter, then letters, digits or dashes)`);
      return '';
    }
    return value;
  };
  const url = text('url', undefined, 310);
  if (url !== '' && !URL.test(url)) problems.push('url: ldap://host[:port] or ldaps://host[:port]');
  const startTls = body['startTls'] ?? false;
  if (typeof startTls !== 'boolean') problems.push('startTls: true or false');
  if (startTls === true && url.toLowerCase().startsWith('ldaps:')) problems.push('startTls: only for ldap:// (ldaps:// is TLS from the start)');
  const ca = body['ca'];
  if (ca !== undefined && ca !== '' && (typeof ca !== 'string' || ca.length > 65_536 || !ca.includes('-----BEGIN CERTIFICATE-----'))) problems.push('ca: PEM certificate(s)');
  const bindDn = text('bindDn', undefined);
  const password = body['bindPassword'];
  if (password !== undefined && (typeof password !== 'string' || password === '' || password.length > 1024)) problems.push('bindPassword: 1 to 1024 characters');
  if (password === undefined && !hasPassword) problems.push('bindPassword: required the first time');
  const baseDn = text('baseDn', undefined);
  const userFilter = filter('userFilter', defaults.userFilter);
  const rawAttributes = body['attributes'] ?? {};
  const given = typeof rawAttributes === 'object' && rawAttributes !== null && !Array.isArray(rawAttributes) ? (rawAttributes as Partial<Record<keyof DirectoryAttributes, unknown>>) : {};
  if (given !== rawAttributes) problems.push('attributes: an object {login, mail, aliases[], displayName}');
  const aliasList = given.aliases ?? defaults.attributes.aliases;
  if (!Array.isArray(aliasList) || aliasList.length > 10) problems.push('attributes.aliases: a list of at most 10 attribute names');
  const attributes: DirectoryAttributes = {
    login: attribute('attributes.login', given.login ?? defaults.attributes.login),
    mail: attribute('attributes.mail', given.mail ?? defaults.attributes.mail),
    aliases: Array.isArray(aliasList) ? aliasList.slice(0, 10).map((a: unknown, i) => attribute(`attributes.aliases.${i}`, a)) : [],
    displayName: attribute('attributes.displayName', given.displayName ?? defaults.attributes.displayName),
  };
  const groupBaseDn = text('groupBaseDn', typeof body['baseDn'] === 'string' ? body['baseDn'] : undefined);
  const groupFilter = filter('groupFilter', defaults.groupFilter);
  const groupNameAttribute = attribute('groupNameAttribute', body['groupNameAttribute'] ?? defaults.groupNameAttribute);
  const groupMemberAttribute = attribute('groupMemberAttribute', body['groupMemberAttribute'] ?? defaults.groupMemberAttribute);
  const rawRoles = body['groupRoles'] ?? [];
  const groupRoles: DirectoryGroupRole[] = [];
  if (!Array.isArray(rawRoles) || rawRoles.length > 100) problems.push('groupRoles: a list of at most 100 {group, role}');
  else
    rawRoles.forEach((item: unknown, i) => {
      const entry = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
      const group = entry['group'];
      const role = entry['role'];
      if (typeof group !== 'string' || !/^[\w .-]{1,64}$/.test(group)) problems.push(`groupRoles.${i}.group: a group name (1 to 64 letters, digits, spaces, dots, dashes or underscores)`);
      if (typeof role !== 'string' || !(DIRECTORY_ROLES as readonly string[]).includes(role)) problems.push(`groupRoles.${i}.role: one of ${DIRECTORY_ROLES.join(', ')}`);
      else if (typeof group === 'string') groupRoles.push({ group, role: role as Role });
    });
  const scheduleMinutes = body['scheduleMinutes'] ?? 0;
  if (typeof scheduleMinutes !== 'number' || !Number.isInteger(scheduleMinutes) || scheduleMinutes < 0 || scheduleMinutes > 10_080) problems.push('scheduleMinutes: whole minutes from 0 (on demand only) to 10080');
  if (problems.length > 0) throw new InvalidInputError('invalid directory settings', problems);
  return {
    settings: {
      tenant,
      preset: preset as Preset,
      url,
      startTls: startTls as boolean,
      ...(typeof ca === 'string' && ca !== '' ? { ca } : {}),
      bindDn,
      baseDn,
      userFilter,
      attributes,
      groupBaseDn,
      groupFilter,
      groupNameAttribute,
      groupMemberAttribute,
      groupRoles,
      scheduleMinutes: scheduleMinutes as number,
      updatedAtMs: Date.now(),
    },
    password: password as string | undefined,
  };
}
