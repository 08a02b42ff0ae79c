import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { CsmApi } from './support/api.js';
import { buildCsm, startCsm, startNats, removeTempDirs, tempDir, type Csm } from './support/processes.js';

type LoginAnswer = { token?: string; expiresAt?: number; error?: string };
const login = (api: CsmApi, password: string) => api.call<LoginAnswer>('POST', '/api/auth/login', { username: 'admin', password });
/** Another loopback address is another client to the CSM. */
const ELSEWHERE = '127.0.0.2';

// Admin login and its throttling, sessions shared by replicas, security headers, HTTPS, the OpenAPI document,
// console serving, and starting while NATS is down.
describe('CSM HTTP API', () => {
  const started: { stop(): Promise<unknown> }[] = [];
  const track = <T extends { stop(): Promise<unknown> }>(p: T): T => (started.push(p), p);

  afterEach(async () => {
    for (const p of started.reverse()) await p.stop();
    started.length = 0;
    await removeTempDirs();
  });

  it('prints a generated admin password once, logs in with it only as JSON, and locks out after 5 failures', async () => {
    buildCsm();
    const nats = track(await startNats());
    const dataDir = await tempDir('moat-csm-http-');
    let csm: Csm = track(await startCsm({ natsUrl: nats.url, dataDir }));
    const password = defined((await csm.child.waitForLine(/admin password: (\S+)/, 20_000))[1], 'the printed password');
    const api = new CsmApi(csm);

    expect(csm.baseUrl).toMatch(/^https:\/\//);
    expect((await stat(join(dataDir, 'tls', 'key.pem'))).mode & 0o777).toBe(0o600);
    expect((await api.call('GET', '/api/health')).body).toEqual({ ok: true });
    expect((await api.call('GET', '/api/status')).status).toBe(401);
    expect((await stat(join(dataDir, 'cli-token'))).mode & 0o777).toBe(0o600);

    // A form on another site can post these without a preflight: refused before any password check.
    const form = new URLSearchParams({ username: 'admin', password }).toString();
    expect((await api.fetch('/api/auth/login', { method: 'POST', body: form, contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await api.fetch('/api/auth/login', { method: 'POST', body: JSON.stringify({ username: 'admin', password }), contentType: 'text/plain' })).status).toBe(415);

    const session = await login(api, password);
    expect(session.status).toBe(200);
    expect(session.body.expiresAt).toBeGreaterThan(Date.now() + 29 * 60_000);
    const admin = new CsmApi(csm, session.body.token);
    expect((await admin.call('GET', '/api/status')).status).toBe(200);

    for (let i = 0; i < 5; i++) expect((await login(api, 'wrong')).status).toBe(401);
    const locked = await api.fetch('/api/auth/login', { method: 'POST', body: JSON.stringify({ username: 'admin', password }), contentType: 'application/json' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(250);
    expect(((await locked.json()) as LoginAnswer).error).toMatch(/too many failed logins/);

    // A restart keeps the account, the certificate and the lockout (both in NATS), and never prints the password again.
    const certificate = csm.ca;
    await csm.stop();
    csm = track(await startCsm({ natsUrl: nats.url, dataDir }));
    expect(csm.ca).toBe(certificate);
    await waitFor('login after restart from another address', async () => ((await login(new CsmApi(csm, '', ELSEWHERE), password)).status === 200 ? true : undefined));
    expect((await login(new CsmApi(csm), password)).status).toBe(429);
    expect(csm.child.output).not.toMatch(/admin password/);
  });

  it('keeps the owner able to log in from another address, and /api/health fast, during a login flood from one address', async () => {
    const nats = track(await startNats());
    const csm = track(await startCsm({ natsUrl: nats.url, dataDir: await tempDir('moat-csm-http-'), MOAT_ADMIN_PASSWORD: 'owner-secret' }));
    const owner = new CsmApi(csm);
    const attacker = new CsmApi(csm, '', ELSEWHERE);
    await waitFor('NATS-backed login', async () => ((await login(owner, 'owner-secret')).status === 200 ? true : undefined));

    const healthTimes = async (count: number) => {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        expect((await owner.call('GET', '/api/health')).status).toBe(200);
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b);
    };
    const baseline = await healthTimes(30);

    const statuses = new Map<number, number>();
    let flooding = true;
    const flood = Array.from({ length: 16 }, async (_, worker) => {
      for (let i = 0; flooding; i++) {
        const { status } = await login(attacker, `guess-${worker}-${i}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    });
    await waitFor('the flood to be refused', async () => ((statuses.get(429) ?? 0) > 200 ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
    const during = await healthTimes(30);
    const ownerLogin = await login(owner, 'owner-secret');
    const attackerWithThePassword = await login(attacker, 'owner-secret');
    flooding = false;
    await Promise.all(flood);

    expect(ownerLogin.status).toBe(200);
    expect(attackerWithThePassword.status).toBe(429);
    // Few password checks ran: the rest were refused (one check in flight per address, lockout, slowdown).
    expect(statuses.get(401) ?? 0).toBeLessThanOrEqual(10);
    expect(statuses.get(429) ?? 0).toBeGreaterThan(200);
    const median = (times: number[]) => defined(times[Math.floor(times.length / 2)], 'a median');
    console.log(`health median ${median(baseline).toFixed(1)} ms alone, ${median(during).toFixed(1)} ms during the flood (${JSON.stringify(Object.fromEntries(statuses))})`);
    expect(median(during)).toBeLessThan(median(baseline) * 10 + 300);
  });

  it('shares sessions and lockouts between two CSMs on one NATS, and ends sessions when idle and at their absolute expiry', async () => {
    const nats = track(await startNats());
    const settings = { natsUrl: nats.url, MOAT_ADMIN_PASSWORD: 'replica-secret', MOAT_SESSION_IDLE_SECONDS: '3', MOAT_SESSION_MAX_SECONDS: '8' };
    const one = track(await startCsm({ ...settings, dataDir: await tempDir('moat-csm-one-') }));
    const two = track(await startCsm({ ...settings, dataDir: await tempDir('moat-csm-two-') }));
    const onOne = await waitFor('login on the first CSM', async () => {
      const answer = await login(new CsmApi(one), 'replica-secret');
      return answer.status === 200 ? answer.body : undefined;
    });
    expect(onOne.expiresAt).toBeLessThanOrEqual(Date.now() + 3000);

    // A session opened on one replica works on the other; logging out on one ends it on both.
    const sessionOnTwo = new CsmApi(two, onOne.token);
    expect((await sessionOnTwo.call('GET', '/api/status')).status).toBe(200);
    expect((await new CsmApi(one, onOne.token).call('POST', '/api/auth/logout')).status).toBe(204);
    expect((await sessionOnTwo.call('GET', '/api/status')).status).toBe(401);

    // A lockout counted on one replica applies on the other, for that address only.
    for (let i = 0; i < 5; i++) expect((await login(new CsmApi(one, '', ELSEWHERE), 'wrong')).status).toBe(401);
    expect((await login(new CsmApi(two, '', ELSEWHERE), 'replica-secret')).status).toBe(429);

    // Used every second on alternate replicas, a session lives until its absolute expiry, not longer.
    const busy = (await login(new CsmApi(two), 'replica-secret')).body;
    const idle = (await login(new CsmApi(one), 'replica-secret')).body;
    const openedAt = Date.now();
    let ended = 0;
    for (let i = 0; !ended && Date.now() - openedAt < 12_000; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      if ((await new CsmApi(i % 2 ? one : two, busy.token).call('GET', '/api/status')).status === 401) ended = Date.now() - openedAt;
    }
    expect(ended).toBeGreaterThanOrEqual(7000);
    expect(ended).toBeLessThan(10_000);
    // Unused for longer than the idle timeout.
    expect((await new CsmApi(two, idle.token).call('GET', '/api/status')).status).toBe(401);
  });

  it('sends security headers on API, console and error responses, and serves the console with a CSP nonce', async () => {
    const nats = track(await startNats());
    const dataDir = await tempDir('moat-csm-http-');
    const consoleDir = join(dataDir, 'console');
    await mkdir(consoleDir, { recursive: true });
    await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>Moat console</title><moat-root ngCspNonce="MOAT_CSP_NONCE"></moat-root>');
    await writeFile(join(consoleDir, 'main.js'), 'console.log(1);');
    const csm = track(await startCsm({ natsUrl: nats.url, dataDir, MOAT_CONSOLE_DIR: consoleDir, MOAT_ADMIN_PASSWORD: 'configured-secret' }));
    const api = new CsmApi(csm);

    const responses = {
      health: await api.fetch('/api/health'),
      unauthenticated: await api.fetch('/api/status'),
      missing: await api.fetch('/api/nothing-here'),
      badLogin: await api.fetch('/api/auth/login', { method: 'POST', body: '{', contentType: 'application/json' }),
      file: await api.fetch('/main.js'),
      page: await api.fetch('/nodes/deep/link'),
      index: await api.fetch('/index.html'),
    };
    expect(Object.fromEntries(Object.entries(responses).map(([name, r]) => [name, r.status]))).toEqual({
      health: 200,
      unauthenticated: 401,
      missing: 404,
      badLogin: 400,
      file: 200,
      page: 200,
      index: 200,
    });
    for (const [name, response] of Object.entries(responses)) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, name).toContain("frame-ancestors 'none'");
      expect(csp, name).toContain("script-src 'self'");
      expect(csp, name).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), name).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security'), name).toMatch(/max-age=\d+/);
      expect(response.headers.get('x-frame-options'), name).toBe('DENY');
      expect(response.headers.get('x-powered-by'), name).toBeNull();
    }
    // index.html carries the response's own nonce, which the CSP allows for Angular's component styles.
    const html = await responses.page.text();
    const nonce = /ngCspNonce="([^"]+)"/.exec(html)?.[1];
    expect(nonce).toBeDefined();
    expect(nonce).not.toBe('MOAT_CSP_NONCE');
    expect(responses.page.headers.get('content-security-policy')).toContain(`style-src 'self' 'nonce-${nonce}'`);
    expect(await responses.index.text()).not.toContain(nonce);
    expect(await responses.file.text()).toBe('console.log(1);');

    const openapi = (await (await api.fetch('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    for (const path of ['/api/health', '/api/auth/login', '/api/status', '/api/policy', '/api/policy/versions', '/api/lists', '/api/stats', '/api/mail', '/api/mail/{id}', '/api/mail/{id}/release']) {
      expect(Object.keys(openapi.paths)).toContain(path);
    }
    expect((await login(api, 'configured-secret')).status).toBe(200);
  });

  it('starts and serves health and login while NATS is down (plain HTTP when configured), and catches up once it is back', async () => {
    const [natsPort] = await freePorts(1);
    const dataDir = await tempDir('moat-csm-http-');
    const csm = track(await startCsm({ natsUrl: `nats://127.0.0.1:${natsPort}`, dataDir, MOAT_ADMIN_PASSWORD: 'while-nats-is-down', MOAT_HTTP_TLS: 'off' }));
    expect(csm.baseUrl).toMatch(/^http:\/\//);
    const api = new CsmApi(csm);
    const health = await api.fetch('/api/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('strict-transport-security')).toBeNull();
    expect(health.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const session = await login(api, 'while-nats-is-down');
    expect(session.status).toBe(200);
    const admin = new CsmApi(csm, session.body.token);
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
    // Sessions opened now live in NATS.
    expect((await login(api, 'while-nats-is-down')).status).toBe(200);
  });
});
