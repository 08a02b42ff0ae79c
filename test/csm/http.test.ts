import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm } from './support/processes.js';

const login = (api: CsmApi, password: string) => api.call<{ token?: string; expiresAt?: number; error?: string }>('POST', '/api/auth/login', { username: 'admin', password });

// Admin login, lockout, the OpenAPI document, console serving, and starting while NATS is down.
describe('CSM HTTP API', () => {
  const started: { stop(): Promise<unknown> }[] = [];
  const track = <T extends { stop(): Promise<unknown> }>(p: T): T => (started.push(p), p);

  afterEach(async () => {
    for (const p of started.reverse()) await p.stop();
    started.length = 0;
    await removeTempDirs();
  });

  it('prints a generated admin password once, logs in with it, and locks out after 5 failures', async () => {
    buildCsm();
    const nats = track(await startNats());
    const dataDir = await tempDir('moat-csm-http-');
    let csm: Csm = track(await startCsm({ natsUrl: nats.url, dataDir }));
    const [, password] = await csm.child.waitForLine(/admin password: (\S+)/, 20_000);
    const api = new CsmApi(csm.baseUrl);

    expect((await api.call('GET', '/api/health')).body).toEqual({ ok: true });
    expect((await api.call('GET', '/api/status')).status).toBe(401);
    expect((await stat(join(dataDir, 'cli-token'))).mode & 0o777).toBe(0o600);

    const session = await login(api, password!);
    expect(session.status).toBe(200);
    expect(session.body.expiresAt).toBeGreaterThan(Date.now() + 29 * 60_000);
    const admin = new CsmApi(csm.baseUrl, session.body.token);
    expect((await admin.call('GET', '/api/status')).status).toBe(200);

    for (let i = 0; i < 5; i++) expect((await login(api, 'wrong')).status).toBe(401);
    const locked = await login(api, password!);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatch(/too many failed logins/);

    // A restart keeps the account and never prints the password again.
    await csm.stop();
    csm = track(await startCsm({ natsUrl: nats.url, dataDir }));
    await waitFor('login after restart', async () => ((await login(new CsmApi(csm.baseUrl), password!)).status === 200 ? true : undefined));
    expect(csm.child.output).not.toMatch(/admin password/);
  });

  it('serves the OpenAPI document and the console with its single-page fallback', async () => {
    const nats = track(await startNats());
    const dataDir = await tempDir('moat-csm-http-');
    const consoleDir = join(dataDir, 'console');
    await mkdir(consoleDir, { recursive: true });
    await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>Moat console</title>');
    await writeFile(join(consoleDir, 'main.js'), 'console.log(1);');
    const csm = track(await startCsm({ natsUrl: nats.url, dataDir, MOAT_CONSOLE_DIR: consoleDir, MOAT_ADMIN_PASSWORD: 'configured-secret' }));

    const openapi = await (await fetch(`${csm.baseUrl}/api/openapi.json`)).json();
    expect(openapi.openapi).toMatch(/^3\./);
    for (const path of ['/api/health', '/api/auth/login', '/api/status', '/api/policy', '/api/policy/versions', '/api/lists', '/api/stats', '/api/mail', '/api/mail/{id}', '/api/mail/{id}/release']) {
      expect(Object.keys(openapi.paths)).toContain(path);
    }
    expect(await (await fetch(`${csm.baseUrl}/main.js`)).text()).toBe('console.log(1);');
    expect(await (await fetch(`${csm.baseUrl}/nodes/deep/link`)).text()).toContain('Moat console');
    expect((await fetch(`${csm.baseUrl}/api/nothing-here`)).status).toBe(404);
    expect((await login(new CsmApi(csm.baseUrl), 'configured-secret')).status).toBe(200);
  });

  it('starts and serves health and login while NATS is down, and catches up once it is back', async () => {
    const [natsPort] = await freePorts(1);
    const dataDir = await tempDir('moat-csm-http-');
    const csm = track(await startCsm({ natsUrl: `nats://127.0.0.1:${natsPort}`, dataDir, MOAT_ADMIN_PASSWORD: 'while-nats-is-down' }));
    const api = new CsmApi(csm.baseUrl);
    expect((await api.call('GET', '/api/health')).status).toBe(200);
    const session = await login(api, 'while-nats-is-down');
    expect(session.status).toBe(200);
    const admin = new CsmApi(csm.baseUrl, session.body.token);
    const down = await admin.get<{ nats: { ok: boolean } }>('/api/status');
    expect(down.nats.ok).toBe(false);
    expect((await admin.call('GET', '/api/policy')).status).toBe(503);

    track(await startNats(natsPort));
    const policy = await waitFor('the policy once NATS is up', async () => {
      const response = await admin.call<{ version: number }>('GET', '/api/policy');
      return response.status === 200 ? response.body : undefined;
    });
    expect(policy.version).toBe(1);
    expect((await admin.get<{ nats: { ok: boolean } }>('/api/status')).nats.ok).toBe(true);
  });
});
