import type { Role } from './config.repository.js';

/** Attribute names of user entries: the login name (administrators), the primary address, aliases, display name. */
export interface DirectoryAttributes {
  login: string;
  mail: string;
  /** Every value of these is an alias; AD's proxyAddresses values lose their `smtp:` prefix. */
  aliases: string[];
  displayName: string;
}

/** Members of the directory group GROUP (its name attribute, e.g. cn) become administrators with ROLE. */
export interface DirectoryGroupRole {
  group: string;
  role: Role;
}

/** A tenant's directory settings, KV moat_config `directory.config.<tenant>`. */
export interface DirectorySettings {
  tenant: string;
  preset: 'openldap' | 'active-directory';
  url: string;
  startTls: boolean;
  ca?: string;
  bindDn: string;
  /** The service account's password, sealed with the CSM's key-encryption key (context: the KV key). */
  sealedBindPassword: string;
  baseDn: string;
  userFilter: string;
  attributes: DirectoryAttributes;
  groupBaseDn: string;
  groupFilter: string;
  groupNameAttribute: string;
  /** The attribute of a group entry holding its members' DNs (member, uniqueMember). */
  groupMemberAttribute: string;
  groupRoles: DirectoryGroupRole[];
  /** Minutes between scheduled syncs; 0: only on demand. */
  scheduleMinutes: number;
  updatedAtMs: number;
}

/** A directory user as synced: the account it gives (address, aliases) and who it is in the directory. */
export interface DirectoryAccount {
  address: string;
  aliases: string[];
  displayName: string;
  dn: string;
  login: string;
}

/** A group as synced into the policy's `groups`. */
export interface DirectoryGroupView {
  name: string;
  members: string[];
  change: 'add' | 'change' | 'remove' | 'same';
}

/** An administrator's role given or taken by a group→role mapping. */
export interface DirectoryRoleChange {
  username: string;
  role: Role | null;
  change: 'grant' | 'change' | 'revoke';
}

/** What a sync did (or, dry run, would do). */
export interface DirectorySyncReport {
  atMs: number;
  dryRun: boolean;
  ok: boolean;
  author: string;
  error?: string;
  policyVersion?: number;
  added: DirectoryAccount[];
  changed: { address: string; changes: string[] }[];
  removed: DirectoryAccount[];
  groups: DirectoryGroupView[];
  roles: DirectoryRoleChange[];
  /** Entries not synced and why (no address, not at a tenant domain, a name taken by a local administrator). */
  skipped: string[];
}

/** What the last applied sync wrote, KV `directory.state.<tenant>`: the accounts and groups the directory owns. */
export interface DirectoryState {
  tenant: string;
  accounts: DirectoryAccount[];
  groups: string[];
  lastSync?: DirectorySyncReport;
}

/** Directory settings and sync state of each tenant, in the config of record. */
export abstract class DirectoryConfigRepository {
  abstract getSettings(tenant: string): Promise<DirectorySettings | undefined>;
  abstract putSettings(settings: DirectorySettings): Promise<void>;
  abstract getState(tenant: string): Promise<DirectoryState | undefined>;
  abstract putState(state: DirectoryState): Promise<void>;
}

/** The KV key of a tenant's settings; also the context its bind password is sealed with. */
export const directorySettingsKey = (tenant: string) => `directory.config.${tenant}`;
export const directoryStateKey = (tenant: string) => `directory.state.${tenant}`;
