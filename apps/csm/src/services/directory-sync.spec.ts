import { parsePolicy } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import type { AdminRecord } from '../repositories/config.repository.js';
import type { DirectoryState } from '../repositories/directory-config.repository.js';
import type { DirectoryEntry } from '../repositories/directory.repository.js';
import { applyDirectory, directoryDiff, readDirectory } from './directory-sync.js';
import { DIRECTORY_PRESETS } from './directory.service.js';

const OPENLDAP = DIRECTORY_PRESETS.openldap;
const AD = DIRECTORY_PRESETS['active-directory'];
const DOMAINS = new Set(['example.test']);
const CONNECTION = { url: 'ldap://127.0.0.1:389', startTls: false };

const person = (uid: string, mails: string[], name = uid): DirectoryEntry => ({ dn: `uid=${uid},ou=people,dc=example,dc=test`, attributes: { uid: [uid], mail: mails, cn: [name], mailAlternateAddress: [] } });
const group = (cn: string, uids: string[]): DirectoryEntry => ({ dn: `cn=${cn},ou=groups,dc=example,dc=test`, attributes: { cn: [cn], member: uids.map((u) => `uid=${u},ou=people,dc=example,dc=test`) } });

function basePolicy() {
  return parsePolicy({
    domains: [{ name: 'example.test', downstream: { host: 'mx' }, accounts: ['csv-user'] }],
    groups: [{ name: 'hand-made', members: ['csv-user@example.test'] }],
    outbound: { accounts: [{ address: 'csv-user@example.test', canSend: true }] },
  });
}

function admin(username: string, role: AdminRecord['role'], directory?: string): AdminRecord {
  return { username, role, tenant: 'default', mustChangePassword: false, password: { algorithm: 'scrypt', salt: 'saltsalt', hash: 'h'.repeat(16), cost: 1024 }, createdAtMs: 0, updatedAtMs: 0, ...(directory ? { directory: { dn: directory } } : {}) };
}

describe('readDirectory', () => {
  it('takes the first mail as the address and the other addresses as aliases, at the tenant domains only', () => {
    const read = readDirectory([person('alice', ['Alice@Example.test', 'a.smith@example.test', 'alice@elsewhere.test'], 'Alice Smith')], [], OPENLDAP, DOMAINS);
    expect(read.accounts).toEqual([{ address: 'alice@example.test', aliases: ['a.smith@example.test'], displayName: 'Alice Smith', dn: 'uid=alice,ou=people,dc=example,dc=test', login: 'alice' }]);
  });

  it('skips, and says why, entries without an address, outside the domains, or a second entry with the same address', () => {
    const read = readDirectory([person('nomail', []), person('away', ['away@elsewhere.test']), person('x', ['not an address']), person('a1', ['same@example.test']), person('a2', ['same@example.test'])], [], OPENLDAP, DOMAINS);
    expect(read.accounts.map((a) => a.address)).toEqual(['same@example.test']);
    expect(read.skipped).toHaveLength(4);
    expect(read.skipped.join('\n')).toContain('elsewhere.test is not at one of the tenant');
  });

  it('reads Active Directory proxyAddresses: SMTP: is the primary address, smtp: aliases', () => {
    const entry: DirectoryEntry = { dn: 'CN=Bob,OU=Users,DC=example,DC=test', attributes: { sAMAccountName: ['bob'], mail: ['bob.old@example.test'], proxyAddresses: ['smtp:bob.old@example.test', 'SMTP:bob@example.test', 'X400:c=US', 'smtp:b@example.test'], displayName: ['Bob'] } };
    const read = readDirectory([entry], [], AD, DOMAINS);
    expect(read.accounts[0]).toMatchObject({ address: 'bob@example.test', aliases: ['b@example.test', 'bob.old@example.test'], login: 'bob' });
  });

  it('drops an alias two entries claim', () => {
    const read = readDirectory([person('a', ['a@example.test', 'team@example.test']), person('b', ['b@example.test', 'team@example.test'])], [], OPENLDAP, DOMAINS);
    expect(read.accounts.map((a) => a.aliases)).toEqual([[], []]);
    expect(read.skipped).toHaveLength(2);
  });

  it('gives groups the addresses of their synced members and refuses names the policy cannot hold', () => {
    const read = readDirectory([person('alice', ['alice@example.test'])], [group('sales', ['alice', 'ghost']), group('bad/name', [])], OPENLDAP, DOMAINS);
    expect(read.groups.map((g) => ({ name: g.name, members: g.members }))).toEqual([{ name: 'sales', members: ['alice@example.test'] }]);
    expect(read.skipped).toHaveLength(1);
  });
});

describe('directoryDiff', () => {
  const roles = [{ group: 'moat-approvers', role: 'approver' as const }];

  it('lists everything as added on the first sync, and mapped group members as granted roles', () => {
    const read = readDirectory([person('alice', ['alice@example.test']), person('bob', ['bob@example.test'])], [group('moat-approvers', ['alice'])], OPENLDAP, DOMAINS);
    const diff = directoryDiff(undefined, read, basePolicy(), roles, [admin('admin', 'super-admin')]);
    expect(diff.added.map((a) => a.address)).toEqual(['alice@example.test', 'bob@example.test']);
    expect(diff.changed).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.groups).toEqual([{ name: 'moat-approvers', members: ['alice@example.test'], change: 'add' }]);
    expect(diff.roles).toEqual([{ username: 'alice', role: 'approver', change: 'grant' }]);
  });

  it('reports alias and name changes, removals, groups gone and roles revoked against the last sync', () => {
    const previous: DirectoryState = {
      tenant: 'default',
      accounts: [
        { address: 'alice@example.test', aliases: ['old@example.test'], displayName: 'alice', dn: 'uid=alice,ou=people,dc=example,dc=test', login: 'alice' },
        { address: 'carol@example.test', aliases: [], displayName: 'carol', dn: 'uid=carol,ou=people,dc=example,dc=test', login: 'carol' },
      ],
      groups: ['moat-approvers', 'gone'],
    };
    const policy = { ...basePolicy(), groups: [{ name: 'moat-approvers', members: ['alice@example.test'] }, { name: 'gone', members: [] }] };
    const read = readDirectory([person('alice', ['alice@example.test', 'new@example.test'], 'Alice')], [group('moat-approvers', [])], OPENLDAP, DOMAINS);
    const diff = directoryDiff(previous, read, policy, roles, [admin('alice', 'approver', 'uid=alice,ou=people,dc=example,dc=test')]);
    expect(diff.added).toEqual([]);
    expect(diff.changed).toEqual([{ address: 'alice@example.test', changes: ['alias added: new@example.test', 'alias removed: old@example.test', 'name: alice -> Alice'] }]);
    expect(diff.removed.map((a) => a.address)).toEqual(['carol@example.test']);
    expect(diff.groups).toEqual([
      { name: 'moat-approvers', members: [], change: 'change' },
      { name: 'gone', members: [], change: 'remove' },
    ]);
    expect(diff.roles).toEqual([{ username: 'alice', role: null, change: 'revoke' }]);
  });

  it('never takes over a local administrator of the same name, and gives the highest mapped role', () => {
    const read = readDirectory([person('admin', ['root@example.test']), person('bob', ['bob@example.test'])], [group('moat-approvers', ['admin', 'bob']), group('moat-admins', ['bob'])], OPENLDAP, DOMAINS);
    const diff = directoryDiff(undefined, read, basePolicy(), [...roles, { group: 'moat-admins', role: 'tenant-admin' }], [admin('admin', 'super-admin')]);
    expect(diff.roles).toEqual([{ username: 'bob', role: 'tenant-admin', change: 'grant' }]);
    expect(diff.skipped.join('\n')).toContain('admin: a local administrator has that name');
  });
});

describe('applyDirectory', () => {
  it('adds recipients, aliases, bind senders and groups, keeping what came from elsewhere', () => {
    const read = readDirectory([person('alice', ['alice@example.test', 'a@example.test'])], [group('sales', ['alice'])], OPENLDAP, DOMAINS);
    const next = parsePolicy(applyDirectory(basePolicy(), undefined, read, CONNECTION));
    expect(next.domains[0]?.accounts).toEqual(['a', 'alice', 'csv-user']);
    expect(next.outbound.directory).toEqual(CONNECTION);
    expect(next.outbound.accounts).toEqual([
      { address: 'alice@example.test', canSend: true, aliases: ['a@example.test'], bindDn: 'uid=alice,ou=people,dc=example,dc=test' },
      { address: 'csv-user@example.test', canSend: true, aliases: [] },
    ]);
    expect(next.groups.map((g) => g.name)).toEqual(['hand-made', 'sales']);
  });

  it('removes only what the last sync wrote', () => {
    const first = readDirectory([person('alice', ['alice@example.test', 'a@example.test'])], [group('sales', ['alice'])], OPENLDAP, DOMAINS);
    const synced = parsePolicy(applyDirectory(basePolicy(), undefined, first, CONNECTION));
    const previous: DirectoryState = { tenant: 'default', accounts: first.accounts, groups: ['sales'] };
    const empty = readDirectory([], [], OPENLDAP, DOMAINS);
    const next = parsePolicy(applyDirectory(synced, previous, empty, CONNECTION));
    expect(next.domains[0]?.accounts).toEqual(['csv-user']);
    expect(next.outbound.accounts.map((a) => a.address)).toEqual(['csv-user@example.test']);
    expect(next.groups.map((g) => g.name)).toEqual(['hand-made']);
  });
});
