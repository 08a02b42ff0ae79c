// Issue 2: the console in headless Chromium against a real cluster (NATS, clamd, the CSM serving the built
// console, two scan nodes). Mail sent over SMTP shows up on the dashboard, and the nodes page shows both nodes
// up on the current policy version. Screenshots go to test-results/ for a human to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { CHROMIUM_ARGS, CONSOLE_INDEX, RESULTS_DIR } from '../harness/console-browser.js';
import { mapLimit, range } from '../harness/pool.js';
import { waitFor } from '../harness/wait.js';

const MESSAGES = 100;

describe('console in a browser', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  const cspViolations: string[] = [];
  const testIdText = (testId: string) => page.locator(`[data-testid="${testId}"]`).first().textContent();

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console (npm run build)`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    cluster = await startCluster({ nodes: 2 });
    const sent = await mapLimit(range(MESSAGES), 10, (i) =>
      cluster.sendMail(i % 2, {
        from: `sender${i}@remote.test`,
        to: 'alice@example.test',
        subject: `console #${i}`,
        body: `message ${i}\n`,
      }),
    );
    expect(sent.filter((r) => !r.accepted)).toEqual([]);
    // The dashboard shows what the CSM's consumer has put in ClickHouse: wait until all of it is there.
    await waitFor(`${MESSAGES} messages in the stats`, async () =>
      (await cluster.stats()).total >= MESSAGES ? true : undefined,
    );
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    // The CSM serves its own self-signed certificate; the CLI pins it, this throwaway browser just accepts it.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, ignoreHTTPSErrors: true });
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('refuses a wrong password with a clear message', async () => {
    await page.goto(cluster.csmUrl);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(`${cluster.adminPassword}-wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => testIdText('login-error'), { timeout: 5000 }).toBe('Wrong username or password.');
  });

  it('logs in and shows the messages on the dashboard', async () => {
    await page.getByLabel('Password').fill(cluster.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/dashboard');
    // The page asks who is signed in (GET /api/auth/me) before its stats: give both time on a loaded machine.
    await expect.poll(() => testIdText('total-messages'), { timeout: 10_000 }).toBe(String(MESSAGES));
    expect(await page.locator('[data-testid="category-normal"] [data-testid="count-inbound"]').textContent()).toBe(String(MESSAGES));
    const bucketTotals = await page.locator('[data-testid="chart"] .column').evaluateAll((columns) => columns.map((c) => Number(c.getAttribute('data-total'))));
    expect(bucketTotals.reduce((sum, n) => sum + n, 0)).toBe(MESSAGES);
    await page.screenshot({ path: `${RESULTS_DIR}console-dashboard.png`, fullPage: true });
  });

  it('lists both nodes up on the current policy version with their antivirus engine versions', async () => {
    const { policyVersion } = await cluster.status();
    await page.getByRole('link', { name: 'Nodes' }).click();
    await page.waitForURL('**/nodes');
    await expect.poll(() => page.locator('[data-testid="node-row"][data-state="up"]').count()).toBe(2);
    expect(await page.locator('[data-testid="node-row"]').count()).toBe(2);
    expect(await testIdText('policy-version')).toBe(String(policyVersion));
    expect(await testIdText('nodes-up')).toBe('2 / 2');
    expect(await page.locator('[data-testid="node-policy-version"]').allTextContents()).toEqual([
      String(policyVersion),
      String(policyVersion),
    ]);
    // Where Prometheus scrapes each node (its heartbeat's metrics URL), in node order.
    const metricsLinks = page.locator('[data-testid="node-metrics-link"]');
    expect(await metricsLinks.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(cluster.ports.metrics.map((p) => `http://127.0.0.1:${p}/metrics`));
    expect(await metricsLinks.allTextContents()).toEqual(cluster.ports.metrics.map((p) => `127.0.0.1:${p}`));
    // Each node's heartbeat carries its clamd version (and signature version, which the test's offline database
    // does not have) and the policy's hash-list version (F5).
    await expect.poll(() => page.locator('[data-engine="clamav"] [data-testid="engine-version"]').allTextContents(), { timeout: 40_000 }).toEqual([expect.stringMatching(/^ClamAV \d+\.\d+/), expect.stringMatching(/^ClamAV \d+\.\d+/)]);
    expect(await page.locator('[data-engine="hashdb"] [data-testid="engine-version"]').allTextContents()).toEqual([expect.stringMatching(/^hashdb policy \d+ \(0 hashes\)$/), expect.stringMatching(/^hashdb policy \d+ \(0 hashes\)$/)]);
    // The demo policy names no dns.servers: each node reports the machine's resolver, with the sender-authentication warning.
    expect(await page.locator('[data-testid="node-resolver"][data-source="system"]').count()).toBe(2);
    expect(await page.locator('[data-testid="resolver-warning"]').allTextContents()).toEqual([expect.stringContaining('sender authentication'), expect.stringContaining('sender authentication')]);
    // The page refreshes itself every 5 s.
    const firstRefresh = await testIdText('refreshed-at');
    await expect.poll(() => testIdText('refreshed-at'), { timeout: 8_000 }).not.toBe(firstRefresh);
    await page.screenshot({ path: `${RESULTS_DIR}console-nodes.png`, fullPage: true });
  });

  it("runs under the CSM's Content-Security-Policy without a violation (no inline script or style without the nonce)", async () => {
    const response = await page.goto(`${cluster.csmUrl}/dashboard`);
    expect(response?.headers()['content-security-policy']).toMatch(/style-src 'self' 'nonce-[^']+'/);
    await expect.poll(() => testIdText('total-messages'), { timeout: 10_000 }).toBe(String(MESSAGES));
    // Component styles apply: the header bar has its own background colour, not the page's.
    expect(await page.locator('header.topbar').evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    expect(cspViolations).toEqual([]);
  });

  it('adds an administrator whose generated password must be changed first, and shows it only what its role may use', async () => {
    await page.getByRole('link', { name: 'Administrators' }).click();
    await page.waitForURL('**/admins');
    await page.getByLabel('Name').fill('browser-auditor');
    await page.getByLabel('Role').selectOption('auditor');
    await page.getByRole('button', { name: 'Add' }).click();
    const generated = (await page.locator('[data-testid="generated-password"]').textContent()) ?? '';
    expect(generated).toMatch(/^\S{16}$/);
    await expect.poll(() => page.locator('[data-testid="admin-row"][data-username="browser-auditor"] [data-testid="admin-role"]').textContent()).toBe('auditor');
    await page.screenshot({ path: `${RESULTS_DIR}console-admins.png`, fullPage: true });

    await page.getByTestId('logout').click();
    await page.waitForURL('**/login**');
    await page.getByLabel('Username').fill('browser-auditor');
    await page.getByLabel('Password').fill(generated);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Every page but the account's own waits for the new password.
    await page.waitForURL('**/account');
    expect(await page.getByTestId('password-forced').isVisible()).toBe(true);
    expect(await page.locator('nav a').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')))).toEqual(['nav-account']);

    await page.getByLabel('Current password').fill(generated);
    await page.getByLabel('New password', { exact: true }).fill('an auditor passphrase');
    await page.getByLabel('New password again').fill('an auditor passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL('**/dashboard');
    await expect.poll(() => page.locator('nav a').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid')))).toEqual(['nav-dashboard', 'nav-statistics', 'nav-nodes', 'nav-mail', 'nav-holds', 'nav-audit', 'nav-security-log', 'nav-certificates', 'nav-dkim', 'nav-quarantine', 'nav-lists', 'nav-accounts', 'nav-policy', 'nav-auth-blocks', 'nav-directory', 'nav-admins', 'nav-account']);
    // An auditor reads the administrators but cannot add or remove one.
    await page.getByRole('link', { name: 'Administrators' }).click();
    await expect.poll(() => page.locator('[data-testid="admin-row"]').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid="admin-add"], [data-testid="admin-remove"]').count()).toBe(0);
    expect(cspViolations).toEqual([]);
  });
});
