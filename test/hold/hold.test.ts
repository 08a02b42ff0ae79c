import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { startRemoteServer, type Received } from '../outbound/support.js';

// Issue 14 (F9): a delivery hold window of a domain opening and closing on a test clock shared by two real
// nodes; held mail is accepted (250), stays in the spools (also across a node's SIGKILL), is visible summed
// across the nodes in GET /api/holds and `moat holds list`, and reaches the domain's real downstream in order
// of receipt when the window ends, or at once when an administrator releases it.

interface HeldView {
  domain: string;
  messages: number;
  bytes: number;
  oldestReceivedAtMs: number;
  releaseAtMs: number;
  nodes: Array<{ nodeName: string; messages: number }>;
}

const DOMAIN = 'held.test';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const UI_WAIT = { timeout: 20_000 };
const WINDOW_END = Date.parse('2026-01-01T02:00:00Z');

describe('delivery hold windows across two nodes', () => {
  let cluster: TestCluster;
  let downstream: { received: Received[]; close(): Promise<void> };
  let clockDir: string;
  let browser: Browser | undefined;
  const setClock = (iso: string) => writeFile(join(clockDir, 'clock'), iso);

  beforeAll(async () => {
    clockDir = await mkdtemp(join(tmpdir(), 'moat-clock-'));
    await setClock('2026-01-01T00:30:00Z');
    const port = defined((await freePorts(1))[0], 'a free port');
    downstream = await startRemoteServer(port);
    const saved = { clock: process.env['MOAT_TEST_CLOCK'], file: process.env['MOAT_CLOCK_FILE'] };
    process.env['MOAT_TEST_CLOCK'] = '1';
    process.env['MOAT_CLOCK_FILE'] = join(clockDir, 'clock');
    try {
      cluster = await startCluster({
        nodes: 2,
        policy: (demo) => ({
          ...demo,
          domains: [...(demo.domains ?? []), { name: DOMAIN, downstream: { host: '127.0.0.1', port, tls: 'none' }, holds: [{ kind: 'daily', at: '00:00', durationMinutes: 120, timeZone: 'UTC' }] }],
        }),
      });
    } finally {
      for (const [name, value] of [['MOAT_TEST_CLOCK', saved.clock], ['MOAT_CLOCK_FILE', saved.file]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await downstream?.close();
    await rm(clockDir, { recursive: true, force: true });
  });

  const held = async (): Promise<HeldView | undefined> => ((await cluster.csmGet('/api/holds')) as { domains: HeldView[] }).domains.find((d) => d.domain === DOMAIN);
  const waitHeld = (what: string, test: (v: HeldView) => boolean) =>
    waitFor(`/api/holds: ${what}`, async () => {
      const v = await held();
      return v && test(v) ? v : undefined;
    });
  const send = async (node: number, subject: string) => {
    const result = await cluster.sendMail(node, { from: 'sender@remote.test', to: `ops@${DOMAIN}`, subject, body: `${subject}\n` });
    expect(result, subject).toMatchObject({ accepted: true, code: 250 });
  };
  const subjects = (prefix: string) => downstream.received.map((r) => /^Subject: (.*)$/m.exec(r.raw)?.[1]?.trim() ?? '').filter((s) => s.startsWith(prefix));

  it('holds mail inside the window on both nodes, keeps it across a node kill, and delivers each node\'s mail in order when the window ends', async () => {
    for (let i = 1; i <= 3; i++) {
      await send(0, `a${i}`);
      await send(1, `b${i}`);
    }
    const view = await waitHeld('6 held over 2 nodes', (v) => v.messages === 6);
    expect(view.nodes.map((n) => [n.nodeName, n.messages]).sort()).toEqual([['node-1', 3], ['node-2', 3]]);
    expect(view.releaseAtMs).toBe(WINDOW_END);
    expect(view.bytes).toBeGreaterThan(6 * 100);
    expect(view.oldestReceivedAtMs).toBeGreaterThan(0);

    const listed = await cluster.moat(['holds', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/held\.test\s+6\s/);

    await cluster.killNode(1);
    await cluster.startNode(1);
    await new Promise((r) => setTimeout(r, 2000));
    expect(downstream.received).toEqual([]);
    await waitHeld('still 6 held after node-2 restarted', (v) => v.messages === 6 && v.nodes.every((n) => n.messages === 3));

    await setClock('2026-01-01T02:00:01Z');
    await waitFor('6 messages at the downstream', async () => (downstream.received.length >= 6 ? true : undefined), { timeoutMs: 30_000 });
    expect(subjects('a')).toEqual(['a1', 'a2', 'a3']);
    expect(subjects('b')).toEqual(['b1', 'b2', 'b3']);
    await waitHeld('nothing held, no window open', (v) => v.messages === 0 && v.releaseAtMs === 0);
  });

  it('an administrator release delivers at once in order, is audited, and leaves the rest of that window open', async () => {
    await setClock('2026-01-02T00:10:00Z');
    await new Promise((r) => setTimeout(r, 1000));
    await send(0, 'r1');
    await send(1, 'r2');
    await send(0, 'r3');
    await waitHeld('3 held in the next day\'s window', (v) => v.messages === 3 && v.releaseAtMs === Date.parse('2026-01-02T02:00:00Z'));
    expect(subjects('r')).toEqual([]);

    const released = await cluster.moat(['holds', 'release', DOMAIN]);
    expect(released.code, released.stderr).toBe(0);
    expect(released.stdout).toContain('held message(s) released for delivery');
    await waitFor('the released mail at the downstream', async () => (subjects('r').length === 3 ? true : undefined), { timeoutMs: 20_000 });
    expect(subjects('r').filter((s) => s !== 'r2')).toEqual(['r1', 'r3']);

    await send(1, 'r4');
    await waitFor('mail after the release goes at once', async () => (subjects('r4').length === 1 ? true : undefined), { timeoutMs: 20_000 });
    await waitHeld('nothing held after the release', (v) => v.messages === 0 && v.releaseAtMs === 0);

    const audit = (await cluster.csmGet('/api/audit?action=holds.release')) as { entries: Array<{ action: string; target: string; ok: boolean }> };
    expect(audit.entries[0]).toMatchObject({ action: 'holds.release', target: DOMAIN, ok: true });

    const unknown = await cluster.csmFetch('/api/holds/nowhere.test/release', { method: 'POST', headers: { authorization: `Bearer ${await cluster.token()}` } });
    expect(unknown.status).toBe(404);
  });

  it('the console page shows the held queue across nodes and its Release button delivers it', async () => {
    await setClock('2026-01-03T00:10:00Z');
    await new Promise((r) => setTimeout(r, 1000));
    await send(0, 'c1');
    await send(1, 'c2');
    await waitHeld('2 held in the third day\'s window', (v) => v.messages === 2);

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    await page.goto(`${cluster.csmUrl}/holds`);
    await page.waitForURL('**/login?**');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(cluster.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/holds');
    const row = page.locator(`tr[data-domain="${DOMAIN}"]`);
    await expect.poll(() => row.locator('[data-testid="hold-messages"]').textContent(), UI_WAIT).toBe('2');
    expect(await row.locator('[data-testid="hold-release-at"]').textContent()).toContain('2026-01-03 02:00 UTC');
    expect(await row.locator('[data-testid="hold-nodes"]').textContent()).toMatch(/node-1: 1[\s\S]*node-2: 1/);
    await row.locator('[data-testid="hold-release"]').click();
    await expect.poll(() => page.locator('[data-testid="holds-result"]').textContent(), UI_WAIT).toBe(`${DOMAIN}: released on 2 of 2 node(s)`);
    await waitFor('the mail released from the console at the downstream', async () => (subjects('c').length === 2 ? true : undefined), { timeoutMs: 20_000 });
    await expect.poll(() => row.locator('[data-testid="hold-messages"]').textContent(), UI_WAIT).toBe('0');
  });
});
