import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { startRemoteServer, swaks } from '../outbound/support.js';
import { BASE_DN, baseLdif, personLdif, ROOT_DN, ROOT_PASSWORD, startSlapd, type Slapd } from './slapd.js';

const CAROL = 'carol@example.test';
const CAROL_PASSWORD = 'carol-directory-passphrase';

// Submission AUTH by bind (issue 12/13): an account synced from a real slapd authenticates on a real node with its
// LDAP password; the node binds as the account's DN itself and never holds the directory's service password.
describe('submission AUTH by LDAP bind on a node', () => {
  let cluster: TestCluster;
  let slapd: Slapd;
  let remote: Awaited<ReturnType<typeof startRemoteServer>>;
  const submission = () => defined(cluster.ports.submission[0], "the node's submission port");

  beforeAll(async () => {
    slapd = await startSlapd([baseLdif(), personLdif('carol', 'Carol Example', CAROL_PASSWORD, [CAROL, 'c.example@example.test'])].join('\n'));
    const [remotePort] = await freePorts(1);
    remote = await startRemoteServer(defined(remotePort, 'a port for the remote server'));
    cluster = await startCluster({
      nodes: 1,
      policy: (demo) => ({ ...demo, outbound: { delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: defined(remotePort, 'remote port'), tls: 'opportunistic' }] } } }),
    });
    const file = join(cluster.varDir, 'directory.json');
    await writeFile(file, JSON.stringify({ preset: 'openldap', url: slapd.url, bindDn: ROOT_DN, baseDn: BASE_DN }));
    const set = await cluster.moat(['directory', 'set', file, '--bind-password-stdin'], 60_000, `${ROOT_PASSWORD}\n`);
    expect(set.code, set.stderr).toBe(0);
    const synced = await cluster.moat(['directory', 'sync'], 60_000);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/account +carol@example\.test +add/);
    const version = (await cluster.status()).policyVersion;
    await waitFor('the node on the synced policy', async () => ((await cluster.status()).nodes.some((n) => n.up && n.policyVersion === version) ? true : undefined));
  });

  afterAll(async () => {
    await cluster?.stop();
    await remote?.close();
    await slapd?.stop();
  });

  it('the policy the node runs names the directory and the DN, never the service password', async () => {
    const policy = JSON.stringify(await cluster.csmGet('/api/policy'));
    expect(policy).toContain(`uid=carol,ou=people,${BASE_DN}`);
    expect(policy).toContain(slapd.url);
    expect(policy).not.toContain(ROOT_PASSWORD);
    expect(policy).not.toContain(ROOT_DN);
  });

  it('authenticates a directory account with its LDAP password (swaks, AUTH PLAIN after STARTTLS) and delivers, also from its alias', async () => {
    const sent = await swaks(['--port', String(submission()), '--tls', '--auth', 'PLAIN', '--auth-user', CAROL, '--auth-password', CAROL_PASSWORD, '--from', 'c.example@example.test', '--to', 'dan@remote.test', '--header', 'Subject: submitted by bind', '--body', 'hello from carol\n']);
    expect(sent.code, sent.output).toBe(0);
    expect(sent.output).toMatch(/235 .*Authentication successful/i);
    const got = await waitFor('the message at the remote server', async () => remote.received.find((m) => m.raw.includes('Subject: submitted by bind')));
    expect(got.from).toBe('c.example@example.test');
  });

  it('refuses a wrong LDAP password (535 5.7.8), and the password changed in LDAP takes over', async () => {
    const wrong = await swaks(['--port', String(submission()), '--tls', '--auth', 'PLAIN', '--auth-user', CAROL, '--auth-password', 'not-carols-password', '--from', CAROL, '--to', 'dan@remote.test']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain('535 5.7.8');
    await slapd.modify(`dn: uid=carol,ou=people,${BASE_DN}\nchangetype: modify\nreplace: userPassword\nuserPassword: carol-new-passphrase\n`);
    const renewed = await swaks(['--port', String(submission()), '--tls', '--auth', 'LOGIN', '--auth-user', CAROL, '--auth-password', 'carol-new-passphrase', '--from', CAROL, '--to', 'dan@remote.test', '--header', 'Subject: new password']);
    expect(renewed.code, renewed.output).toBe(0);
  });
});
