import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, RESULTS_DIR, signInAt } from '../harness/console-browser.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { RawSmtp } from '../harness/raw-smtp.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from '../csm/support/api.js';
import { startRemoteServer, type Received } from '../outbound/support.js';

const GOOD = 'a long enough passphrase';

interface MailRow {
  id: string;
  rcptTo: string[];
  subject: string;
}

// Issue 12 (F18): two tenants on one fleet, through the real CSM, a real scan node and two real downstreams:
// `moat tenants`, each tenant's mail judged by its own policy and delivered to its own downstream, one tenant
// per transaction, and a tenant admin who sees only its tenant (404 for the other's resources).
describe('tenants on one fleet', () => {
  let cluster: TestCluster;
  let acmeDownstream: { received: Received[]; close(): Promise<void> };
  let admin: CsmApi;
  let acmeAdmin: CsmApi;
  let defaultAdmin: CsmApi;

  const api = async (token = '') => new CsmApi({ baseUrl: cluster.csmUrl, ca: cluster.cluster.csmCertFile ? await readFile(cluster.cluster.csmCertFile, 'utf8') : undefined }, token);
  const loginAs = async (username: string) => {
    const session = await (await api()).call<{ token: string }>('POST', '/api/auth/login', { username, password: GOOD });
    if (session.status !== 200) throw new Error(`login ${username}: ${session.status} ${JSON.stringify(session.body)}`);
    return api(session.body.token);
  };
  const send = (to: string | string[], subject: string, from = 'friend@remote.test') => cluster.sendMail(0, { from, to, subject });
  const mailOf = async (who: CsmApi, query = '') => (await who.get<{ messages: MailRow[] }>(`/api/mail?limit=1000${query}`)).messages;

  beforeAll(async () => {
    const port = defined((await freePorts(1))[0], 'a free port');
    acmeDownstream = await startRemoteServer(port);
    cluster = await startCluster({ nodes: 1 });
    admin = await api(await cluster.token());

    const added = await cluster.moat(['tenants', 'add', 'acme', '--name', 'Acme', '--domain', 'acme.test', '--downstream', `127.0.0.1:${port}`]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('tenant acme added: domains acme.test, policy v1\n');
    for (const [username, tenant] of [
      ['acme-admin', 'acme'],
      ['default-admin', 'default'],
    ]) {
      const created = await admin.call('POST', '/api/admins', { username, role: 'tenant-admin', tenant, password: GOOD });
      expect(created.status).toBe(201);
    }
    acmeAdmin = await loginAs('acme-admin');
    defaultAdmin = await loginAs('default-admin');
    // Acme blocks a sender the default tenant takes.
    expect((await acmeAdmin.call('POST', '/api/lists', { op: 'add', kind: 'sender-block', value: 'pest@remote.test' })).status).toBe(201);
    // The node has acme's policy once it takes mail for acme.test (before, no tenant has that domain).
    await waitFor('the node to take mail for acme.test', async () => ((await send('probe@acme.test', 'probe')).accepted ? true : undefined), { timeoutMs: 30_000, intervalMs: 250 });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await acmeDownstream?.close();
  });

  it('lists the tenants, and refuses a domain of another tenant', async () => {
    const listed = await cluster.moat(['tenants', 'list']);
    expect(listed.stdout).toMatch(/^default\s+Demo tenant\s+example\.test\s+v\d+\s+\d+$/m);
    expect(listed.stdout).toMatch(/^acme\s+Acme\s+acme\.test\s+v2\s+1$/m);
    const thief = await cluster.moat(['tenants', 'add', 'thief', '--domain', 'example.test', '--downstream', 'mx.thief.test']);
    expect(thief.code).toBe(1);
    expect(thief.stderr).toContain('domains: example.test belongs to tenant default');
    const acmePolicy = (await acmeAdmin.get<{ policy: { domains: { name: string }[] } }>('/api/policy')).policy;
    const claimed = await acmeAdmin.call<{ problems: string[] }>('PUT', '/api/policy', { policy: { ...acmePolicy, domains: [...acmePolicy.domains, { name: 'example.test', downstream: { host: '127.0.0.1' } }] } });
    expect(claimed).toMatchObject({ status: 409, body: { problems: ['domains: example.test belongs to tenant default'] } });
  });

  it("routes each tenant's mail by its own policy to its own downstream", async () => {
    expect((await send('alice@example.test', 'pest to default', 'pest@remote.test')).accepted).toBe(true);
    const refused = await send('bob@acme.test', 'pest to acme', 'pest@remote.test');
    expect(refused).toMatchObject({ accepted: false });
    expect(refused.code).toBeGreaterThanOrEqual(500);
    expect((await send('bob@acme.test', 'friend to acme')).accepted).toBe(true);

    await cluster.waitForMailbox(1, (m) => m.subject === 'pest to default');
    const atAcme = await waitFor('the message at acme\'s downstream', async () => acmeDownstream.received.find((m) => m.raw.includes('Subject: friend to acme')));
    expect(atAcme.to).toEqual(['bob@acme.test']);
    expect((await cluster.mailbox()).some((m) => m.subject === 'friend to acme')).toBe(false);
    expect(acmeDownstream.received.some((m) => m.raw.includes('Subject: pest to default'))).toBe(false);
  });

  it('takes one tenant per transaction: a later recipient of another tenant is deferred', async () => {
    const smtp = await RawSmtp.connect(defined(cluster.ports.smtp[0], 'node 0 SMTP port'));
    try {
      expect((await smtp.reply()).code).toBe(220);
      expect((await smtp.command('EHLO client.remote.test')).code).toBe(250);
      expect((await smtp.command('MAIL FROM:<friend@remote.test>')).code).toBe(250);
      expect((await smtp.command('RCPT TO:<carol@acme.test>')).code).toBe(250);
      const other = await smtp.command('RCPT TO:<alice@example.test>');
      expect(other.code).toBe(451);
      expect(other.text).toContain('4.3.0');
      expect(other.text).toContain('another tenant');
      expect((await smtp.command('RCPT TO:<dave@acme.test>')).code).toBe(250);
    } finally {
      smtp.close();
    }
  });

  it('shows each tenant only its own mail, answers 404 for the other tenant\'s resources, and shows the super admin both', async () => {
    const acmeRow = await waitFor('acme mail in the event store', async () => (await mailOf(admin, '&subject=friend%20to%20acme'))[0]);
    const defaultRow = await waitFor('default mail in the event store', async () => (await mailOf(admin, '&subject=pest%20to%20default'))[0]);
    expect((await admin.get<{ tenant: string }>(`/api/mail/${acmeRow.id}`)).tenant).toBe('acme');
    expect((await admin.get<{ tenant: string }>(`/api/mail/${defaultRow.id}`)).tenant).toBe('default');

    const acmeSees = await mailOf(acmeAdmin);
    expect(acmeSees.map((m) => m.id)).toContain(acmeRow.id);
    expect(acmeSees.every((m) => m.rcptTo.every((r) => r.endsWith('@acme.test')))).toBe(true);
    const defaultSees = await mailOf(defaultAdmin);
    expect(defaultSees.map((m) => m.id)).toContain(defaultRow.id);
    expect(defaultSees.map((m) => m.id)).not.toContain(acmeRow.id);

    // The other tenant's message, its body, its release: not found. Its policy, its administrator: not found.
    for (const [who, id] of [
      [acmeAdmin, defaultRow.id],
      [defaultAdmin, acmeRow.id],
    ] as const) {
      expect((await who.call('GET', `/api/mail/${id}`)).status).toBe(404);
      expect((await who.call('GET', `/api/mail/${id}/body`)).status).toBe(404);
      expect((await who.call('POST', `/api/mail/${id}/release`, {})).status).toBe(404);
      const bulk = await who.call<{ results: { ok: boolean; detail: string }[] }>('POST', '/api/mail/actions', { action: 'delete', ids: [id] });
      expect(bulk.body.results[0]).toMatchObject({ ok: false, detail: expect.stringContaining('no message') });
    }
    expect((await acmeAdmin.call('GET', '/api/policy?tenant=default')).status).toBe(404);
    expect((await acmeAdmin.call('PUT', '/api/admins/default-admin', { role: 'auditor' })).status).toBe(404);
    expect((await acmeAdmin.call('DELETE', '/api/admins/default-admin')).status).toBe(404);
    expect((await acmeAdmin.call('GET', '/api/tenants')).status).toBe(403);
    expect((await acmeAdmin.get<{ policy: { domains: { name: string }[] } }>('/api/policy')).policy.domains.map((d) => d.name)).toEqual(['acme.test']);
    expect((await acmeAdmin.get<{ admins: { username: string }[] }>('/api/admins')).admins.map((a) => a.username)).toEqual(['acme-admin']);

    // Statistics and the security log count only the tenant's mail.
    const acmeStats = await acmeAdmin.get<{ total: number }>('/api/stats');
    const allStats = await admin.get<{ total: number }>('/api/stats');
    expect(acmeStats.total).toBe(acmeSees.length);
    expect(allStats.total).toBeGreaterThan(acmeStats.total);
    const findings = await defaultAdmin.get<{ findings: { messageId: string }[] }>('/api/security-log?limit=1000');
    expect(findings.findings.some((f) => f.messageId === acmeRow.id)).toBe(false);
    // The super admin narrows to one tenant with ?tenant=.
    expect((await mailOf(admin, '&tenant=acme')).map((m) => m.id)).not.toContain(defaultRow.id);
  });

  it("keeps audit entries per tenant, in the audit log and the event export", async () => {
    const acmeAudit = await acmeAdmin.get<{ entries: { admin: string; action: string; target: string }[] }>('/api/audit?limit=1000');
    expect(acmeAudit.entries).toContainEqual(expect.objectContaining({ admin: 'acme-admin', action: 'policy.change', target: expect.stringContaining('tenant acme') }));
    expect(acmeAudit.entries.every((e) => e.admin === 'acme-admin')).toBe(true);
    const defaultAudit = await defaultAdmin.get<{ entries: { admin: string }[] }>('/api/audit?limit=1000');
    expect(defaultAudit.entries.some((e) => e.admin === 'acme-admin')).toBe(false);

    const events = await waitFor('acme events in the export', async () => {
      const page = await acmeAdmin.get<{ events: { kind: string; tenant?: string; admin?: string }[] }>('/api/events?limit=1000');
      return page.events.some((e) => e.kind === 'message') ? page.events : undefined;
    });
    expect(events.every((e) => (e.kind === 'audit' ? e.admin === 'acme-admin' : e.tenant === 'acme'))).toBe(true);
  });

  it('shows a super admin the Tenants page in the console', async () => {
    const { browser, page, cspViolations } = await openConsoleBrowser();
    try {
      await signInAt(page, cluster, '/tenants');
      const acme = page.locator('[data-testid="tenant-row"][data-tenant="acme"]');
      await acme.waitFor({ timeout: 20_000 });
      expect((await acme.locator('td').allTextContents()).slice(0, 5)).toEqual(['acme', 'Acme', 'acme.test', 'v2', '1']);
      expect(await page.locator('[data-testid="tenant-row"][data-tenant="default"] [data-testid="tenant-remove"]').count()).toBe(0);
      await page.screenshot({ path: join(RESULTS_DIR, 'tenants.png'), fullPage: true });
      expect(cspViolations).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('removes a tenant only with --force while it has domains or administrators; its domains are then refused', async () => {
    const refused = await cluster.moat(['tenants', 'remove', 'acme']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/domain acme\.test/);
    expect(refused.stderr).toMatch(/administrator acme-admin/);
    const removed = await cluster.moat(['tenants', 'remove', 'acme', '--force']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('tenant acme removed\n');
    expect((await cluster.moat(['tenants', 'list'])).stdout).not.toMatch(/^acme/m);
    await waitFor('the node to refuse acme.test', async () => {
      const r = await send('bob@acme.test', 'after removal');
      return r.accepted ? undefined : r;
    });
    expect((await (await api()).call('POST', '/api/auth/login', { username: 'acme-admin', password: GOOD })).status).toBe(401);
  });
});
