import type { Policy } from '@moat/policy';
import { ROLES, type AdminRecord, type Role } from '../repositories/config.repository.js';
import type { DirectoryAccount, DirectoryGroupView, DirectoryRoleChange, DirectorySettings, DirectoryState } from '../repositories/directory-config.repository.js';
import type { DirectoryEntry } from '../repositories/directory.repository.js';

// The pure half of the directory sync: directory entries read into accounts and groups, compared with what the
// last sync wrote, and the policy and administrator changes that follow. DirectoryService does the I/O.

const ADDRESS = /^[^@\s<>]{1,64}@[a-z0-9.-]{1,253}$/;
/** Administrator names (AdminsService's rule): what a KV key and a log line carry safely. */
const ADMIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Roles a directory group may give; a super admin is made by hand only. */
export const DIRECTORY_ROLES: readonly Role[] = ROLES.filter((role) => role !== 'super-admin');

export interface DirectoryGroupRead {
  name: string;
  /** Addresses of the synced accounts among its members. */
  members: string[];
  /** DNs of all its members. */
  memberDns: string[];
}

export interface DirectoryRead {
  accounts: DirectoryAccount[];
  groups: DirectoryGroupRead[];
  skipped: string[];
}

export interface DirectoryDiff {
  added: DirectoryAccount[];
  changed: { address: string; changes: string[] }[];
  removed: DirectoryAccount[];
  groups: DirectoryGroupView[];
  roles: DirectoryRoleChange[];
  skipped: string[];
}

type ReadSettings = Pick<DirectorySettings, 'attributes' | 'groupNameAttribute' | 'groupMemberAttribute'>;

/**
 * Users and groups as the directory gives them: a user's address is its first `mail` value (AD: the `SMTP:`
 * proxy address when there is one), aliases are its other addresses; users without an address at one of DOMAINS
 * are skipped (and said so), as are aliases outside them. Addresses are compared in lower case.
 */
export function readDirectory(users: readonly DirectoryEntry[], groups: readonly DirectoryEntry[], settings: ReadSettings, domains: ReadonlySet<string>): DirectoryRead {
  const skipped: string[] = [];
  const accounts = new Map<string, DirectoryAccount>();
  const atDomain = (address: string) => ADDRESS.test(address) && domains.has(address.slice(address.lastIndexOf('@') + 1));
  for (const entry of users) {
    const value = (name: string) => entry.attributes[name] ?? [];
    const proxies = settings.attributes.aliases.flatMap(value);
    const primaryProxy = proxies.find((p) => p.startsWith('SMTP:'));
    const mails = [...(primaryProxy ? [primaryProxy] : []), ...value(settings.attributes.mail), ...proxies].map(addressOf).filter((a) => a !== '');
    const address = mails[0];
    if (address === undefined) {
      skipped.push(`${entry.dn}: no ${settings.attributes.mail} address`);
      continue;
    }
    if (!atDomain(address)) {
      skipped.push(`${entry.dn}: ${address.slice(0, 100)} is not at one of the tenant's domains`);
      continue;
    }
    if (accounts.has(address)) {
      skipped.push(`${entry.dn}: ${address} is already the address of ${accounts.get(address)?.dn}`);
      continue;
    }
    const aliases = [...new Set(mails.slice(1))].filter((a) => a !== address && atDomain(a)).sort();
    const login = value(settings.attributes.login)[0] ?? '';
    accounts.set(address, { address, aliases, displayName: value(settings.attributes.displayName)[0] ?? '', dn: entry.dn, login });
  }
  // An alias one account claims that is another's address or alias too belongs to neither.
  const claims = new Map<string, number>();
  for (const account of accounts.values()) for (const a of [account.address, ...account.aliases]) claims.set(a, (claims.get(a) ?? 0) + 1);
  for (const account of accounts.values()) {
    const shared = account.aliases.filter((a) => (claims.get(a) ?? 0) > 1);
    if (shared.length > 0) {
      skipped.push(`${account.dn}: alias ${shared.join(', ')} is claimed by another entry too`);
      account.aliases = account.aliases.filter((a) => !shared.includes(a));
    }
  }
  const byDn = new Map([...accounts.values()].map((a) => [a.dn.toLowerCase(), a]));
  const groupList: DirectoryGroupRead[] = [];
  const names = new Set<string>();
  for (const entry of groups) {
    const name = entry.attributes[settings.groupNameAttribute]?.[0] ?? '';
    if (!/^[\w .-]{1,64}$/.test(name) || names.has(name)) {
      skipped.push(`${entry.dn}: group name "${name.slice(0, 100)}" is ${names.has(name) ? 'taken by another group' : 'not 1 to 64 letters, digits, spaces, dots, dashes or underscores'}`);
      continue;
    }
    names.add(name);
    const memberDns = entry.attributes[settings.groupMemberAttribute] ?? [];
    const members = [...new Set(memberDns.map((dn) => byDn.get(dn.toLowerCase())?.address).filter((a) => a !== undefined))].sort();
    groupList.push({ name, members, memberDns });
  }
  return { accounts: [...accounts.values()].sort((a, b) => a.address.localeCompare(b.address)), groups: groupList.sort((a, b) => a.name.localeCompare(b.name)), skipped };
}

/** An address from a mail or proxyAddresses value (`smtp:` prefix dropped, lower case); '' when it is none. */
function addressOf(value: string): string {
  const text = /^smtp:/i.test(value) ? value.slice(5) : value;
  const lower = text.trim().toLowerCase();
  return ADDRESS.test(lower) ? lower : '';
}

/**
 * What applying READ changes against PREVIOUS (the last applied sync), the current POLICY's groups and the
 * administrators: accounts added, changed (aliases, name, DN, login) and removed; groups; roles. A user of a
 * group mapped in GROUPROLES becomes an administrator named by its login attribute with the highest mapped role
 * (in the order of ROLES); a directory administrator no longer mapped loses its account. A name taken by a local
 * administrator is left alone (skipped): the directory never takes over a local account.
 */
export function directoryDiff(previous: DirectoryState | undefined, read: DirectoryRead, policy: Policy, groupRoles: DirectorySettings['groupRoles'], admins: readonly AdminRecord[]): DirectoryDiff {
  const before = new Map((previous?.accounts ?? []).map((a) => [a.address, a]));
  const now = new Map(read.accounts.map((a) => [a.address, a]));
  const added = read.accounts.filter((a) => !before.has(a.address));
  const removed = [...before.values()].filter((a) => !now.has(a.address));
  const changed = read.accounts.flatMap((account) => {
    const old = before.get(account.address);
    if (!old) return [];
    const changes: string[] = [];
    const gone = old.aliases.filter((a) => !account.aliases.includes(a));
    const extra = account.aliases.filter((a) => !old.aliases.includes(a));
    if (extra.length > 0) changes.push(`alias added: ${extra.join(', ')}`);
    if (gone.length > 0) changes.push(`alias removed: ${gone.join(', ')}`);
    if (old.displayName !== account.displayName) changes.push(`name: ${old.displayName} -> ${account.displayName}`);
    if (old.dn !== account.dn) changes.push(`dn: ${old.dn} -> ${account.dn}`);
    if (old.login !== account.login) changes.push(`login: ${old.login} -> ${account.login}`);
    return changes.length > 0 ? [{ address: account.address, changes }] : [];
  });
  const current = new Map(policy.groups.map((g) => [g.name, g]));
  const owned = new Set(previous?.groups ?? []);
  const groups: DirectoryGroupView[] = read.groups.map((g) => {
    const existing = current.get(g.name);
    const change = !existing ? 'add' : sameList(existing.members, g.members) ? 'same' : 'change';
    return { name: g.name, members: g.members, change };
  });
  const readNames = new Set(read.groups.map((g) => g.name));
  for (const name of owned) if (!readNames.has(name) && current.has(name)) groups.push({ name, members: [], change: 'remove' });
  const { roles, skipped } = roleChanges(read, groupRoles, admins);
  return { added, changed, removed, groups, roles, skipped: [...read.skipped, ...skipped] };
}

function roleChanges(read: DirectoryRead, groupRoles: DirectorySettings['groupRoles'], admins: readonly AdminRecord[]): { roles: DirectoryRoleChange[]; skipped: string[] } {
  const skipped: string[] = [];
  const wanted = new Map<string, { role: Role; dn: string }>();
  const byDn = new Map(read.accounts.map((a) => [a.dn.toLowerCase(), a]));
  for (const mapping of groupRoles) {
    const group = read.groups.find((g) => g.name.toLowerCase() === mapping.group.toLowerCase());
    for (const dn of group?.memberDns ?? []) {
      const account = byDn.get(dn.toLowerCase());
      if (!account) continue;
      if (!ADMIN_NAME.test(account.login)) {
        skipped.push(`${account.dn}: login "${account.login.slice(0, 100)}" cannot be an administrator name`);
        continue;
      }
      const held = wanted.get(account.login);
      if (!held || ROLES.indexOf(mapping.role) < ROLES.indexOf(held.role)) wanted.set(account.login, { role: mapping.role, dn: account.dn });
    }
  }
  const records = new Map(admins.map((a) => [a.username, a]));
  const roles: DirectoryRoleChange[] = [];
  for (const [username, { role }] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const record = records.get(username);
    if (record && !record.directory) skipped.push(`${username}: a local administrator has that name; the directory does not take it over`);
    else if (!record) roles.push({ username, role, change: 'grant' });
    else if (record.role !== role || record.directory?.dn !== wanted.get(username)?.dn) roles.push({ username, role, change: 'change' });
  }
  for (const record of admins) if (record.directory && !wanted.has(record.username)) roles.push({ username: record.username, role: null, change: 'revoke' });
  return { roles, skipped };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((v, i) => v === sortedB[i]);
}

/**
 * POLICY with the directory's accounts: recipients (`domains[].accounts`, address and aliases) and senders
 * (`outbound.accounts`, authenticated by a bind as their DN at CONNECTION) of PREVIOUS are replaced by READ's,
 * others (CSV import, API) are kept; its groups replace those of the same name and those PREVIOUS wrote that
 * are gone. A sender entry keeps its `canSend` (new ones may send).
 */
export function applyDirectory(policy: Policy, previous: DirectoryState | undefined, read: DirectoryRead, connection: NonNullable<Policy['outbound']['directory']>): Policy {
  const oldAddresses = new Set((previous?.accounts ?? []).flatMap((a) => [a.address, ...a.aliases]));
  const newAddresses = read.accounts.flatMap((a) => [a.address, ...a.aliases]);
  const domains = policy.domains.map((domain) => {
    const local = (address: string) => (address.endsWith(`@${domain.name}`) ? address.slice(0, -domain.name.length - 1) : undefined);
    const drop = new Set([...oldAddresses].map(local).filter((l) => l !== undefined));
    const add = newAddresses.map(local).filter((l) => l !== undefined);
    if (drop.size === 0 && add.length === 0) return domain;
    return { ...domain, accounts: [...new Set([...domain.accounts.filter((a) => !drop.has(a)), ...add])].sort() };
  });
  const previousSenders = new Set((previous?.accounts ?? []).map((a) => a.address));
  const existing = new Map(policy.outbound.accounts.map((a) => [a.address, a]));
  const synced = read.accounts.map((a) => ({ address: a.address, canSend: existing.get(a.address)?.canSend ?? true, aliases: a.aliases, bindDn: a.dn }));
  const syncedAddresses = new Set(synced.map((a) => a.address));
  const kept = policy.outbound.accounts.filter((a) => !syncedAddresses.has(a.address) && !(previousSenders.has(a.address) && a.bindDn !== undefined));
  const ownedGroups = new Set(previous?.groups ?? []);
  const readNames = new Set(read.groups.map((g) => g.name));
  const groups = [...policy.groups.filter((g) => !readNames.has(g.name) && !ownedGroups.has(g.name)), ...read.groups.map((g) => ({ name: g.name, members: g.members }))];
  return {
    ...policy,
    domains,
    groups,
    outbound: { ...policy.outbound, directory: connection, accounts: [...kept, ...synced].sort((a, b) => a.address.localeCompare(b.address)) },
  };
}
