// `npm run screenshots`: a real cluster (NATS, clamd, the CSM serving the built console, a scan node, the demo
// mailbox) gets a little mail, then headless Chromium signs in and saves a PNG of every console route in ROUTES
// into docs/console/ (README.md shows them). ROUTES must name every route of app.routes.ts.
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { attachmentMail, EICAR } from '../harness/attachment-mail.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, signInAt } from '../harness/console-browser.js';
import { waitFor } from '../harness/wait.js';

const ROUTES_FILE = fileURLToPath(new URL('../../apps/console/src/app/app.routes.ts', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('../../docs/console/', import.meta.url));
const WIDE = 1440;
const NARROW = 390;

interface Shot {
  /** The route as app.routes.ts names it. */
  route: string;
  /** The file name (without .png); the narrow one gets `-390`. */
  name: string;
  /** What the page shows once it has its data. */
  ready: string;
  narrow?: boolean;
}

/** Every console route, in the order the README shows them. */
const ROUTES: Shot[] = [
  { route: 'login', name: 'login', ready: 'button[type="submit"]' },
  { route: 'dashboard', name: 'dashboard', ready: '[data-testid="top-senders"] a', narrow: true },
  { route: 'statistics', name: 'statistics', ready: '[data-testid="stats-row"]' },
  { route: 'nodes', name: 'nodes', ready: '[data-engine="clamav"] [data-testid="engine-version"]' },
  { route: 'mail', name: 'mail', ready: '[data-testid="mail-row"]', narrow: true },
  { route: 'mail/:id', name: 'message', ready: '[data-testid="symbol-row"]' },
  { route: 'holds', name: 'holds', ready: '[data-testid="holds-table"]' },
  { route: 'approvals', name: 'approvals', ready: '[data-testid="approvals-table"]' },
  { route: 'quarantine', name: 'quarantine', ready: '[data-testid="held-row"]', narrow: true },
  { route: 'audit', name: 'audit', ready: '[data-testid="audit-table"] tbody tr' },
  { route: 'security-log', name: 'security-log', ready: '[data-testid="security-log-table"] tbody tr' },
  { route: 'lists', name: 'lists', ready: '[data-testid="lists-table"]' },
  { route: 'accounts', name: 'accounts', ready: '[data-testid="account-row"]', narrow: true },
  { route: 'policy', name: 'policy', ready: '[data-testid="running-version"]', narrow: true },
  { route: 'policy/versions', name: 'policy-versions', ready: '[data-testid="version-row"]' },
  { route: 'auth-blocks', name: 'auth-blocks', ready: '[data-testid="auth-block-form"]' },
  { route: 'directory', name: 'directory', ready: '[data-testid="directory-form"]' },
  { route: 'tenants', name: 'tenants', ready: '[data-testid="tenant-row"]' },
  { route: 'admins', name: 'admins', ready: '[data-testid="admin-row"]' },
  { route: 'certificates', name: 'certificates', ready: '[data-testid="certificates-table"], [data-testid="csr-generate"]' },
  { route: 'dkim', name: 'dkim', ready: '[data-testid="dkim-domain"], [data-testid="dkim-empty"]' },
  { route: 'account', name: 'account', ready: '[data-testid="account-identity"]' },
];

let cluster: TestCluster;
let browser: Browser;
let firstPage: Page;
let quarantinedId = '';

beforeAll(async () => {
  mkdirSync(OUT_DIR, { recursive: true });
  cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, attachments: { antivirus: { infected: 'quarantine' } } }) });
  const senders = ['news@shop.example', 'friend@remote.test', 'friend@remote.test', 'orders@supplier.test', 'news@shop.example', 'news@shop.example'];
  for (const [i, from] of senders.entries()) await cluster.sendMail(0, { from, to: i % 2 ? 'bob@example.test' : 'alice@example.test', subject: `Weekly update ${i + 1}` });
  for (const subject of ['Invoice 2291', 'Invoice 2292']) await cluster.sendMail(0, { from: 'billing@remote.test', to: 'alice@example.test', subject, raw: attachmentMail(subject, 'invoice.txt', EICAR) });
  await cluster.sendMail(0, { from: 'someone@remote.test', to: 'nobody@example.test', subject: 'Hello?' });
  const mail = await waitFor('the mail tracked', async () => {
    const rows = await cluster.searchMail();
    return rows.length >= 9 ? rows : undefined;
  });
  quarantinedId = mail.find((m) => m.action === 'quarantine')?.id ?? '';
  await waitFor('the node reporting its engines', async () => ((await cluster.status()).nodes[0]?.engineVersions?.['clamav'] ? true : undefined), { timeoutMs: 60_000 });
  ({ browser, page: firstPage } = await openConsoleBrowser(WIDE));
});

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
});

it('names every route of app.routes.ts', () => {
  const routes = [...readFileSync(ROUTES_FILE, 'utf8').matchAll(/path: '([^']*)'/g)].map((m) => m[1]).filter((r) => r && r !== '**');
  expect(ROUTES.map((r) => r.route).sort()).toEqual([...new Set(routes)].sort());
});

it('saves a screenshot of every route', async () => {
  await shoot(firstPage, WIDE);
  const narrow = await browser.newPage({ viewport: { width: NARROW, height: 900 }, ignoreHTTPSErrors: true });
  await shoot(narrow, NARROW);
});

async function shoot(page: Page, width: number): Promise<void> {
  const shots = ROUTES.filter((r) => width === WIDE || r.narrow);
  for (const shot of shots) {
    const path = `/${shot.route.replace(':id', quarantinedId)}`;
    if (shot.route === 'login') await page.goto(`${cluster.csmUrl}/login`);
    else if (page.url().includes('/login') || page.url() === 'about:blank') await signInAt(page, cluster, path);
    else await page.goto(`${cluster.csmUrl}${path}`);
    await page.locator(shot.ready).first().waitFor({ timeout: 30_000 });
    // Let a page that polls settle its last values before the picture.
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${OUT_DIR}${shot.name}${width === WIDE ? '' : `-${width}`}.png`, fullPage: true });
  }
}
