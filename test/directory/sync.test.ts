import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsmApi } from '../csm/support/api.js';
import { runMoat } from '../harness/moat-cli.js';
import { buildCsm, removeTempDirs, startCsm, startNats, tempDir, type Csm, type NatsServer } from '../csm/support/processes.js';
import { BASE_DN, baseLdif, groupLdif, personLdif, ROOT_DN, ROOT_PASSWORD, startSlapd, type Slapd } from './slapd.js';

const ALICE_PASSWORD = 'alice-directory-passphrase';
const BOB_PASSWORD = 'bob-directory-passphrase';

interface Report {
  ok: boolean;
  dryRun: boolean;
  policyVersion?: number;
  added: { address: string; aliases: string[] }[];
  changed: { address: string; changes: string[] }[];
  removed: { address: string }[];
  groups: { name: string; members: string[]; change: string }[];
  roles: { username: string; role: string | null; change: string }[];
  skipped: string[];
}

interface PolicyView {
  version: number;
  policy: {
    domains: { name: string; accounts: string[] }[];
    groups: { name: string; members: string[] }[];
    outbound: { accounts: { address: string; aliases: string[]; bindDn?: string; passwordHash?: object }[]; directory?: { url: string } };
  };
}

// LDAP sync (F2, F19) against a real OpenLDAP slapd: the dry run, then add, change and remove a user; a group
// mapped to the approver role gives its member a CSM login by LDAP bind; leaving the group takes it away.
describe('directory sync against slapd', () => {
  let nats: NatsServer;
  let csm: Csm;
  let slapd: Slapd;
  let admin: CsmApi;
  let varDir: string;
  let cliEnv: NodeJS.ProcessEnv;

  const login = (username: string, password: string) => new CsmApi(csm).call<{ token: string; error?: string }>('POST', '/api/auth/login', { username, password });
  const sync = (dryRun: boolean) => admin.call<Report>('POST', '/api/directory/sync', { dryRun });

  beforeAll(async () => {
    buildCsm();
    slapd = await startSlapd(
      [
        baseLdif(),
        personLdif('alice', 'Alice Example', ALICE_PASSWORD, ['alice@example.test', 'a.example@example.test']),
        personLdif('bob', 'Bob Example', BOB_PASSWORD, ['bob@example.test']),
        personLdif('eve', 'Eve Outside', 'eve-directory-passphrase', ['eve@elsewhere.test']),
        groupLdif('moat-approvers', ['alice']),
        groupLdif('sales', ['alice', 'bob']),
      ].join('\n'),
    );
    nats = await startNats();
    varDir = await tempDir('moat-directory-');
    const dataDir = join(varDir, 'csm');
    await mkdir(dataDir);
    csm = await startCsm({ natsUrl: nats.url, dataDir, MOAT_ADMIN_PASSWORD: 'bootstrap-secret' });
    cliEnv = { ...process.env, MOAT_VAR: varDir, MOAT_CSM_URL: csm.baseUrl };
    delete cliEnv['MOAT_TOKEN'];
    const session = await login('admin', 'bootstrap-secret');
    admin = new CsmApi(csm, session.body.token);
    const put = await admin.call('PUT', '/api/policy', { policy: { domains: [{ name: 'example.test', downstream: { host: '127.0.0.1', port: 2525 }, accounts: ['postmaster'] }] }, comment: 'domain' });
    expect(put.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await csm?.stop();
    await nats?.stop();
    await slapd?.stop();
    await removeTempDirs();
  });

  it('stores the settings with the bind password sealed, never returned', async () => {
    expect((await admin.call('PUT', '/api/directory', { url: 'http://nope', baseDn: '' })).status).toBe(400);
    const put = await admin.call<{ settings: { hasBindPassword: boolean; attributes: { mail: string } } }>('PUT', '/api/directory', {
      preset: 'openldap',
      url: slapd.url,
      bindDn: ROOT_DN,
      bindPassword: ROOT_PASSWORD,
      baseDn: BASE_DN,
      groupBaseDn: `ou=groups,${BASE_DN}`,
      groupRoles: [{ group: 'moat-approvers', role: 'approver' }],
    });
    expect(put.status).toBe(200);
    expect(put.body.settings).toMatchObject({ hasBindPassword: true, attributes: { mail: 'mail' } });
    expect(JSON.stringify(await admin.get('/api/directory'))).not.toContain(ROOT_PASSWORD);
  });

  it('dry run lists what would be added and changes nothing', async () => {
    const before = await admin.get<PolicyView>('/api/policy');
    const dry = await sync(true);
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.added.map((a) => a.address)).toEqual(['alice@example.test', 'bob@example.test']);
    expect(dry.body.added[0]?.aliases).toEqual(['a.example@example.test']);
    expect(dry.body.roles).toEqual([{ username: 'alice', role: 'approver', change: 'grant' }]);
    expect(dry.body.skipped.join('\n')).toContain('eve@elsewhere.test is not at one of the tenant');
    expect((await admin.get<PolicyView>('/api/policy')).version).toBe(before.version);
    expect((await login('alice', ALICE_PASSWORD)).status).toBe(401);
    const cli = await runMoat(['directory', 'sync', '--dry-run'], cliEnv);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/^dry run at .* by admin\n/);
    expect(cli.stdout).toMatch(/account +alice@example\.test +add \(aliases a\.example@example\.test\)/);
    expect(cli.stdout).toMatch(/administrator +alice +grant approver/);
    expect((await admin.get<PolicyView>('/api/policy')).version).toBe(before.version);
  });

  it('sync adds the accounts, aliases and groups as a policy version by "directory sync"', async () => {
    const result = await sync(false);
    expect(result.status).toBe(200);
    expect(result.body.added).toHaveLength(2);
    const { version, policy } = await admin.get<PolicyView>('/api/policy');
    expect(result.body.policyVersion).toBe(version);
    expect(policy.domains[0]?.accounts).toEqual(['a.example', 'alice', 'bob', 'postmaster']);
    expect(policy.groups).toEqual([
      { name: 'moat-approvers', members: ['alice@example.test'] },
      { name: 'sales', members: ['alice@example.test', 'bob@example.test'] },
    ]);
    expect(policy.outbound.accounts.find((a) => a.address === 'alice@example.test')).toMatchObject({ aliases: ['a.example@example.test'], bindDn: `uid=alice,ou=people,${BASE_DN}` });
    expect(policy.outbound.directory?.url).toBe(slapd.url);
    const versions = await admin.get<{ version: number; author: string }[]>('/api/policy/versions');
    expect(versions.at(-1)).toMatchObject({ version, author: 'directory sync' });
    const again = await sync(false);
    expect(again.body).toMatchObject({ added: [], changed: [], removed: [], roles: [], policyVersion: version });
  });

  it('a group mapped to approver lets its member log in with the LDAP password, with approver permissions', async () => {
    expect((await login('alice', 'wrong-passphrase-here')).status).toBe(401);
    expect((await login('alice', '')).status).toBe(401);
    const session = await login('alice', ALICE_PASSWORD);
    expect(session.status).toBe(200);
    const alice = new CsmApi(csm, session.body.token);
    const me = await alice.get<{ role: string; permissions: string[] }>('/api/auth/me');
    expect(me.role).toBe('approver');
    expect(me.permissions).toEqual(expect.arrayContaining(['mail:read', 'mail:release']));
    expect((await alice.call('GET', '/api/mail')).status).toBe(200);
    expect((await alice.call('GET', '/api/policy')).status).toBe(403);
    expect((await login('bob', BOB_PASSWORD)).status).toBe(401);
  });

  it('an alias changed in LDAP is reported changed and replaces the old one', async () => {
    await slapd.modify(`dn: uid=alice,ou=people,${BASE_DN}\nchangetype: modify\ndelete: mail\nmail: a.example@example.test\n-\nadd: mail\nmail: alice.example@example.test\n`);
    const dry = await sync(true);
    expect(dry.body.changed).toEqual([{ address: 'alice@example.test', changes: ['alias added: alice.example@example.test', 'alias removed: a.example@example.test'] }]);
    await sync(false);
    const { policy } = await admin.get<PolicyView>('/api/policy');
    expect(policy.domains[0]?.accounts).toEqual(['alice', 'alice.example', 'bob', 'postmaster']);
  });

  it('a user deleted from LDAP is removed; leaving the mapped group takes the role away', async () => {
    await slapd.modify(`dn: cn=sales,ou=groups,${BASE_DN}\nchangetype: modify\ndelete: member\nmember: uid=bob,ou=people,${BASE_DN}\n\ndn: uid=bob,ou=people,${BASE_DN}\nchangetype: delete\n\ndn: cn=moat-approvers,ou=groups,${BASE_DN}\nchangetype: modify\nreplace: member\nmember: cn=admin,${BASE_DN}\n`);
    const result = await sync(false);
    expect(result.body.removed.map((a) => a.address)).toEqual(['bob@example.test']);
    expect(result.body.roles).toEqual([{ username: 'alice', role: null, change: 'revoke' }]);
    const { policy } = await admin.get<PolicyView>('/api/policy');
    expect(policy.domains[0]?.accounts).toEqual(['alice', 'alice.example', 'postmaster']);
    expect(policy.outbound.accounts.map((a) => a.address)).toEqual(['alice@example.test']);
    expect(policy.groups).toEqual([
      { name: 'moat-approvers', members: [] },
      { name: 'sales', members: ['alice@example.test'] },
    ]);
    expect((await login('alice', ALICE_PASSWORD)).status).toBe(401);
    const audit = await admin.get<{ entries: { action: string; admin: string; target: string }[] }>('/api/audit?action=directory');
    expect(audit.entries.map((e) => e.action)).toEqual(['directory.sync', 'directory.sync', 'directory.dry-run', 'directory.sync', 'directory.sync', 'directory.dry-run', 'directory.dry-run', 'directory.set']);
  });

  it('a directory that refuses the bind gives 503 with the reason, recorded as the last sync', async () => {
    const file = join(varDir, 'directory.json');
    await writeFile(file, JSON.stringify({ url: slapd.url, bindDn: ROOT_DN, baseDn: BASE_DN }));
    const set = await runMoat(['directory', 'set', file, '--bind-password-stdin'], cliEnv, 60_000, 'not-the-password\n');
    expect(set.stdout).toContain(`openldap ${slapd.url} base ${BASE_DN} as ${ROOT_DN} (password stored), sync on demand`);
    const failed = await sync(false);
    expect(failed.status).toBe(503);
    expect(JSON.stringify(failed.body)).toContain(`bind as ${ROOT_DN}: InvalidCredentials (LDAP result 49)`);
    const view = await admin.get<{ lastSync: { ok: boolean; error: string } }>('/api/directory');
    expect(view.lastSync.ok).toBe(false);
    const shown = await runMoat(['directory', 'show'], cliEnv);
    expect(shown.stdout).toContain('FAILED: bind as');
    expect(shown.stdout).not.toContain('not-the-password');
  });
});
