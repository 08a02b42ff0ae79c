import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defined } from '../harness/defined.js';
import { runMoat } from '../harness/moat-cli.js';
import { CsmApi } from './support/api.js';
import { buildCsm, removeTempDirs, startCsm, startNats, tempDir, type Csm, type NatsServer } from './support/processes.js';

type Role = 'super-admin' | 'tenant-admin' | 'approver' | 'auditor' | 'end-user';
const ROLES: Role[] = ['super-admin', 'tenant-admin', 'approver', 'auditor', 'end-user'];
const ALL = ROLES;
const ADMINS: Role[] = ['super-admin', 'tenant-admin'];
const READERS: Role[] = ['super-admin', 'tenant-admin', 'auditor'];
const MAIL_READERS: Role[] = ['super-admin', 'tenant-admin', 'approver', 'auditor'];

/**
 * What each role may do, route by route (F22): the table the CSM's permission table must produce. Every route of
 * the OpenAPI document must be here, so a new route is a failing test until its permission is decided.
 */
const EXPECTED: Record<string, Role[] | 'public'> = {
  'GET /api/health': 'public',
  'POST /api/auth/login': 'public',
  // Prometheus scrape: its own metrics token, not an administrator's session.
  'GET /metrics': 'public',
  'POST /api/auth/logout': ALL,
  'GET /api/auth/me': ALL,
  'POST /api/auth/password': ALL,
  'POST /api/auth/totp/setup': ALL,
  'POST /api/auth/totp/confirm': ALL,
  'GET /api/status': READERS,
  'GET /api/stats': READERS,
  'GET /api/dashboard': READERS,
  'GET /api/policy': READERS,
  'PUT /api/policy': ADMINS,
  'POST /api/policy/check': READERS,
  'GET /api/policy/diff': READERS,
  'POST /api/policy/rollback': ADMINS,
  'GET /api/policy/versions': READERS,
  'GET /api/policy/versions/{version}': READERS,
  'GET /api/policy/defaults': READERS,
  'GET /api/lists': READERS,
  'POST /api/lists': ADMINS,
  'GET /api/mail': MAIL_READERS,
  'POST /api/mail/search': MAIL_READERS,
  'GET /api/mail/export': MAIL_READERS,
  // Open to the approver's release; each action's own permission is checked too (delete, report: admins).
  'POST /api/mail/actions': ['super-admin', 'tenant-admin', 'approver'],
  'GET /api/quarantine': MAIL_READERS,
  'GET /api/mail/{id}': MAIL_READERS,
  'GET /api/mail/{id}/body': MAIL_READERS,
  'GET /api/mail/{id}/body/view': MAIL_READERS,
  'GET /api/security-log': MAIL_READERS,
  'GET /api/audit': READERS,
  'GET /api/audit/verify': READERS,
  'GET /api/events': READERS,
  'POST /api/mail/{id}/release': ['super-admin', 'tenant-admin', 'approver'],
  'POST /api/mail/{id}/report': ADMINS,
  'GET /api/accounts': READERS,
  'POST /api/accounts/import': ADMINS,
  'POST /api/accounts/{address}/password': ADMINS,
  'GET /api/dkim': READERS,
  'GET /api/dkim/{domain}': READERS,
  'GET /api/dkim/{domain}/dns-check': READERS,
  'POST /api/dkim/{domain}/keys': ADMINS,
  'POST /api/dkim/{domain}/active': ADMINS,
  'DELETE /api/dkim/{domain}/keys/{selector}': ADMINS,
  'GET /api/certificates': READERS,
  'GET /api/certificates/{domain}/csr': READERS,
  'POST /api/certificates/csr': ADMINS,
  'PUT /api/certificates/{domain}': ADMINS,
  'POST /api/certificates/{domain}/import': ADMINS,
  'DELETE /api/certificates/{domain}': ADMINS,
  'GET /api/holds': MAIL_READERS,
  'POST /api/holds/{domain}/release': ['super-admin', 'tenant-admin', 'approver'],
  'POST /api/nodes/{id}/revoke': ADMINS,
  'GET /api/auth-blocks': READERS,
  'POST /api/auth-blocks': ADMINS,
  'DELETE /api/auth-blocks/{ip}': ADMINS,
  'GET /api/account-blocks': READERS,
  'DELETE /api/account-blocks/{address}': ADMINS,
  'GET /api/classifier': READERS,
  'GET /api/classifier/models/{version}': READERS,
  'POST /api/classifier/models': ADMINS,
  'POST /api/classifier/learn': ADMINS,
  'GET /api/admins': READERS,
  'POST /api/admins': ADMINS,
  'PUT /api/admins/{name}': ADMINS,
  'DELETE /api/admins/{name}': ADMINS,
  'POST /api/admins/{name}/password': ADMINS,
  'GET /api/approvals': ['super-admin', 'tenant-admin', 'approver'],
  'POST /api/approvals/{id}/approve': ['super-admin', 'tenant-admin', 'approver'],
  'POST /api/approvals/{id}/reject': ['super-admin', 'tenant-admin', 'approver'],
  'GET /api/directory': READERS,
  'PUT /api/directory': ADMINS,
  'POST /api/directory/sync': ADMINS,
  'GET /api/tenants': ['super-admin'],
  'POST /api/tenants': ['super-admin'],
  'DELETE /api/tenants/{id}': ['super-admin'],
};

const GOOD = 'a long enough passphrase';
const PLACEHOLDERS: Record<string, string> = { id: 'no-such-message', version: '0000000000000000', name: 'walk-target', address: 'nobody@example.test', domain: 'no-such-domain.test', selector: 'nosuchselector' };

interface Route {
  method: string;
  path: string;
  key: string;
}

// Named administrators and roles through the real CSM (with nats-server and chdb): every route with every role,
// the auditor's read-only access, the forced password change, TOTP login, `moat admins`, and the audit log.
describe('CSM roles', () => {
  let nats: NatsServer;
  let csm: Csm;
  let varDir: string;
  let admin: CsmApi;
  const sessions = new Map<Role, string>();

  const login = (username: string, password: string, totp?: string) =>
    new CsmApi(csm).call<{ token: string; error?: string }>('POST', '/api/auth/login', { username, password, ...(totp ? { totp } : {}) });
  const as = async (username: string, password = GOOD) => {
    const session = await login(username, password);
    if (session.status !== 200) throw new Error(`login ${username}: ${session.status} ${JSON.stringify(session.body)}`);
    return new CsmApi(csm, session.body.token);
  };
  const addAdmin = async (username: string, role: Role, password?: string) => {
    const created = await admin.call<{ password?: string }>('POST', '/api/admins', { username, role, ...(password ? { password } : {}) });
    if (created.status !== 201) throw new Error(`add ${username}: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body;
  };

  beforeAll(async () => {
    buildCsm();
    nats = await startNats();
    varDir = await tempDir('moat-csm-roles-');
    await mkdir(join(varDir, 'csm'));
    csm = await startCsm({ natsUrl: nats.url, dataDir: join(varDir, 'csm'), MOAT_ADMIN_PASSWORD: 'bootstrap-secret' });
    admin = await as('admin', 'bootstrap-secret');
    for (const role of ROLES) {
      await addAdmin(`walk-${role}`, role, GOOD);
      const session = await login(`walk-${role}`, GOOD);
      sessions.set(role, session.body.token);
    }
  }, 120_000);

  afterAll(async () => {
    await csm?.stop();
    await nats?.stop();
    await removeTempDirs();
  });

  it('walks every route of the OpenAPI document with each role and answers as the table says', async () => {
    await addAdmin('walk-target', 'auditor', GOOD);
    const openapi = (await (await new CsmApi(csm).fetch('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes: Route[] = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path, key: `${method.toUpperCase()} ${path}` })),
    );
    expect(routes.map((r) => r.key).sort()).toEqual(Object.keys(EXPECTED).sort());
    // Logging out ends the session the walk uses: last.
    routes.sort((a, b) => Number(a.path === '/api/auth/logout') - Number(b.path === '/api/auth/logout'));

    const mismatches: string[] = [];
    for (const route of routes) {
      const url = route.path.replace(/\{(\w+)\}/g, (_, name: string) => PLACEHOLDERS[name] ?? name);
      const call = { method: route.method, ...(route.method === 'GET' ? {} : { body: '{}', contentType: 'application/json' }) };
      const expected = EXPECTED[route.key];
      const anonymous = await new CsmApi(csm).fetch(url, call);
      if (expected !== 'public' && anonymous.status !== 401) mismatches.push(`${route.key} without a token: ${anonymous.status}`);
      for (const role of ROLES) {
        // Raw responses: an export answers CSV, a model file bytes.
        const response = await new CsmApi(csm, sessions.get(role)).fetch(url, call);
        const { status } = response;
        const answer = (await response.text()).slice(0, 200);
        // A public route (login with an empty body: 401) is only never refused for a role.
        const allowed = expected === 'public' || expected?.includes(role);
        const ok = expected === 'public' ? status !== 403 : allowed ? status !== 401 && status !== 403 && status < 500 : status === 403;
        if (!ok) mismatches.push(`${route.key} as ${role}: ${status} ${answer} (expected ${allowed ? 'allowed' : '403'})`);
      }
    }
    for (const role of ROLES) sessions.set(role, (await login(`walk-${role}`, GOOD)).body.token);
    expect(mismatches).toEqual([]);

    // Bulk mail actions: an approver may release, not delete or report.
    const approver = new CsmApi(csm, sessions.get('approver'));
    expect((await approver.call('POST', '/api/mail/actions', { action: 'release', ids: ['no-such-message'] })).status).toBe(200);
    expect((await approver.call('POST', '/api/mail/actions', { action: 'delete', ids: ['no-such-message'] })).status).toBe(403);
    expect((await approver.call('POST', '/api/mail/actions', { action: 'report-spam', ids: ['no-such-message'] })).status).toBe(403);
    expect((await approver.call('POST', '/api/mail/actions', { action: 'constructor', ids: ['no-such-message'] })).status).toBe(400);
  }, 120_000);

  it("answers every route of tenant default's resources with 403 or 404 for each role of another tenant", async () => {
    // Tenant default's resources: a domain (DKIM, certificates, holds, accounts), an administrator, its policy.
    const current = await admin.get<{ policy: { domains: object[] } }>('/api/policy');
    const published = await admin.call('PUT', '/api/policy', { policy: { ...current.policy, domains: [...current.policy.domains, { name: 'walk.test', downstream: { host: '127.0.0.1' } }] }, comment: 'walk domain' });
    expect(published.status).toBe(200);
    expect((await admin.call('POST', '/api/admins', { username: 'default-target', role: 'auditor', password: GOOD })).status).toBe(201);
    expect((await admin.call('POST', '/api/tenants', { id: 'other' })).status).toBe(201);
    const others = new Map<Role, CsmApi>();
    for (const role of ROLES.filter((r) => r !== 'super-admin')) {
      expect((await admin.call('POST', '/api/admins', { username: `other-${role}`, role, tenant: 'other', password: GOOD })).status).toBe(201);
      others.set(role, await as(`other-${role}`));
    }
    const openapi = (await (await new CsmApi(csm).fetch('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const targets: Record<string, string> = { ...PLACEHOLDERS, name: 'default-target', address: 'nobody@walk.test', domain: 'walk.test', version: '1' };
    const mismatches: string[] = [];
    for (const [path, methods] of Object.entries(openapi.paths)) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const expected = EXPECTED[`${method} ${path}`];
        if (expected === 'public') continue;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => targets[name] ?? name);
        const call = { method, ...(method === 'GET' ? {} : { body: '{}', contentType: 'application/json' }) };
        // Named explicitly (?tenant=default), and by the default tenant's domain or administrator in the path.
        const urls = [`${url}?tenant=default`, ...(/\{(domain|name|address)\}/.test(path) ? [url] : [])];
        for (const [role, session] of others) {
          for (const target of urls) {
            const { status } = await session.fetch(target, call);
            const want = expected?.includes(role) ? 404 : 403;
            if (status !== want) mismatches.push(`${method} ${target} as ${role} of tenant other: ${status} (expected ${want})`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('lets an auditor read everything, the admin list without secrets, and change nothing', async () => {
    const auditor = new CsmApi(csm, sessions.get('auditor'));
    const before = await auditor.get<{ version: number; policy: object }>('/api/policy');
    expect((await auditor.call('PUT', '/api/policy', { policy: before.policy, comment: 'auditor tries' })).status).toBe(403);
    expect((await auditor.call('POST', '/api/lists', { op: 'add', kind: 'ip-block', value: '192.0.2.66' })).status).toBe(403);
    expect((await auditor.call('POST', '/api/admins', { username: 'sneaky', role: 'super-admin', password: GOOD })).status).toBe(403);
    expect((await auditor.call('POST', '/api/admins/admin/password', { password: GOOD })).status).toBe(403);
    expect((await auditor.get<{ version: number }>('/api/policy')).version).toBe(before.version);
    const listed = await auditor.get<{ admins: { username: string; role: string }[] }>('/api/admins');
    expect(listed.admins).toContainEqual(expect.objectContaining({ username: 'admin', role: 'super-admin' }));
    expect(JSON.stringify(listed)).not.toMatch(/salt|hash|secret/);
    expect(await auditor.get('/api/auth/me')).toMatchObject({ username: 'walk-auditor', role: 'auditor', mustChangePassword: false, permissions: expect.arrayContaining(['audit:read']) });
  });

  it('forces the change of a generated password before anything else', async () => {
    const { password } = await addAdmin('newbie', 'tenant-admin');
    expect(password).toMatch(/^\S{16}$/);
    const newbie = await as('newbie', defined(password, 'the generated password'));
    const refused = await newbie.call<{ error: string }>('GET', '/api/status');
    expect(refused).toMatchObject({ status: 403, body: { error: expect.stringMatching(/password must be changed/) } });
    expect(await newbie.get('/api/auth/me')).toMatchObject({ username: 'newbie', role: 'tenant-admin', mustChangePassword: true });
    const weak = await newbie.call<{ problems: string[] }>('POST', '/api/auth/password', { currentPassword: password, password: 'password1234' });
    expect(weak.status).toBe(400);
    expect(weak.body.problems).toContain('password: is a common password');
    expect((await newbie.call('POST', '/api/auth/password', { currentPassword: password, password: GOOD })).status).toBe(204);
    expect((await newbie.call('GET', '/api/status')).status).toBe(200);
    expect((await login('newbie', defined(password, 'the generated password'))).status).toBe(401);
  });

  it('logs in with a TOTP code once the second factor is enabled', async () => {
    await addAdmin('otp-user', 'approver', GOOD);
    const user = await as('otp-user');
    const { otpauthUri } = (await user.call<{ otpauthUri: string }>('POST', '/api/auth/totp/setup')).body;
    const totp = URI.parse(otpauthUri);
    if (!(totp instanceof TOTP)) throw new Error(`not a TOTP URI: ${otpauthUri}`);
    expect((await user.call('POST', '/api/auth/totp/confirm', { code: '12345' })).status).toBe(400);
    expect((await user.call('POST', '/api/auth/totp/confirm', { code: totp.generate() })).status).toBe(204);

    const without = await login('otp-user', GOOD);
    expect(without.status).toBe(401);
    expect(without.body.error).toMatch(/TOTP code/);
    // The code of the next 30 s step: the one just confirmed may not log in again.
    const code = totp.generate({ timestamp: Date.now() + 30_000 });
    expect((await login('otp-user', GOOD, code)).status).toBe(200);
    expect((await login('otp-user', GOOD, code)).status).toBe(401);
    expect(await user.get('/api/auth/me')).toMatchObject({ totpEnabled: true });
  });

  it('manages administrators with the real moat CLI, acting as the named admin of its token', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, MOAT_VAR: varDir, MOAT_CSM_URL: csm.baseUrl };
    delete env['MOAT_TOKEN'];
    const added = await runMoat(['admins', 'add', 'cli-made', '--role', 'auditor'], env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/administrator cli-made added: role auditor, tenant default\ngenerated password \(shown once; to be changed at its first login\): \S{16}\n/);
    const chosen = await runMoat(['admins', 'add', 'cli-chosen', '--role', 'approver', '--password-stdin'], env, 60_000, `${GOOD}\n`);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).not.toMatch(/generated password/);
    expect((await login('cli-chosen', GOOD)).status).toBe(200);
    const weak = await runMoat(['admins', 'add', 'cli-weak', '--role', 'approver', '--password-stdin'], env, 60_000, 'short\n');
    expect(weak).toMatchObject({ code: 1, stderr: expect.stringContaining('password: at least 12 characters') });

    const listed = JSON.parse((await runMoat(['admins', 'list', '--json'], env)).stdout) as { admins: { username: string; role: string; mustChangePassword: boolean }[] };
    expect(listed.admins).toContainEqual(expect.objectContaining({ username: 'cli-made', role: 'auditor', mustChangePassword: true }));
    expect(listed.admins).toContainEqual(expect.objectContaining({ username: 'cli-chosen', role: 'approver', mustChangePassword: false }));
    expect((await runMoat(['admins', 'role', 'cli-chosen', 'auditor'], env)).stdout).toContain('administrator cli-chosen: role auditor, tenant default');
    expect((await runMoat(['admins', 'remove', 'cli-made'], env)).stdout).toBe('administrator cli-made removed\n');
    expect((await runMoat(['admins', 'list'], env)).stdout).not.toContain('cli-made');
    expect((await runMoat(['list', 'add', 'ip-block', '192.0.2.77'], env)).code).toBe(0);
    const versions = await admin.get<{ author: string }[]>('/api/policy/versions');
    expect(versions.at(-1)?.author).toBe('admin');

    // MOAT_TOKEN from `moat login`: that account acts, with its role.
    const wrong = await runMoat(['login', 'walk-tenant-admin', '--password-stdin'], env, 60_000, 'not the password\n');
    expect(wrong).toMatchObject({ code: 1, stderr: expect.stringContaining('login refused (HTTP 401): wrong username or password') });
    const tenantLogin = await runMoat(['login', 'walk-tenant-admin', '--password-stdin'], env, 60_000, `${GOOD}\n`);
    expect(tenantLogin.code, tenantLogin.stderr).toBe(0);
    const tenantEnv = { ...env, MOAT_TOKEN: tenantLogin.stdout.trim() };
    expect((await runMoat(['list', 'add', 'ip-block', '192.0.2.78'], tenantEnv)).code).toBe(0);
    expect((await admin.get<{ author: string }[]>('/api/policy/versions')).at(-1)?.author).toBe('walk-tenant-admin');
    const refused = await runMoat(['admins', 'add', 'boss', '--role', 'super-admin'], tenantEnv);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('HTTP 403') });
    const approverEnv = { ...env, MOAT_TOKEN: sessions.get('approver') };
    expect(await runMoat(['policy', 'get'], approverEnv)).toMatchObject({ code: 1, stderr: expect.stringContaining('HTTP 403') });
  }, 120_000);

  it('audits security events under the acting identity, never "cli", in the verified audit chain', async () => {
    await login('walk-approver', 'wrong password');
    const auditor = new CsmApi(csm, sessions.get('auditor'));
    const { entries } = await auditor.get<{ entries: { admin: string; action: string; target: string; ok: boolean }[] }>('/api/audit?limit=1000');
    const has = (actor: string, action: string, target: string, ok = true) => entries.some((r) => r.admin === actor && r.action === action && r.target === target && r.ok === ok);
    expect(entries.some((r) => r.admin === 'cli')).toBe(false);
    expect(has('admin', 'login', 'admin')).toBe(true);
    expect(has('walk-approver', 'login', 'walk-approver', false)).toBe(true);
    expect(has('admin', 'admin.add', 'walk-auditor')).toBe(true);
    expect(has('walk-super-admin', 'admin.remove', 'walk-target')).toBe(true);
    expect(has('newbie', 'admin.password', 'newbie')).toBe(true);
    expect(has('otp-user', 'auth.totp', 'otp-user')).toBe(true);
    expect(has('admin', 'admin.add', 'cli-made')).toBe(true);
    expect(has('admin', 'admin.role', 'cli-chosen')).toBe(true);
    expect(has('admin', 'auth.token', 'POST /api/admins')).toBe(true);
    expect(has('walk-auditor', 'logout', 'walk-auditor')).toBe(true);
    expect(await auditor.get('/api/audit/verify')).toMatchObject({ ok: true });
  }, 60_000);
});
