// Issue 16: the console's block/allow lists and accounts pages in headless Chromium against a real cluster (NATS,
// clamd, the CSM serving the built console, a scan node, the demo mailbox). A pasted list with bad lines is refused
// line by line and publishes nothing; a good one is published as one policy version with its comment, and once
// the node runs it, a real SMTP client from the blocked loopback address (127.0.0.2) is refused at connect while
// another (127.0.0.3) is not; a sender blocked in a domain's list is refused too; removing the address lets it in
// again. The accounts page searches, and imports a CSV file whose bad lines are named; no password hash is shown.
// Screenshots go to test-results/ (copies in docs/console/).
import { expect, afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, RESULTS_DIR, signInAt } from '../harness/console-browser.js';
import { defined } from '../harness/defined.js';
import { sendMail, type SendResult } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';

const UI_WAIT = { timeout: 20_000 };
const BLOCKED = '127.0.0.2';
const OTHER = '127.0.0.3';

describe('console lists and accounts pages', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  let cspViolations: string[];
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);
  const entries = () => byTestId('list-entry').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')));
  const send = (localAddress: string, from = 'friend@remote.test'): Promise<SendResult> =>
    sendMail(defined(cluster.ports.smtp[0], 'node 0 SMTP port'), { from, to: 'alice@example.test', subject: `from ${localAddress}` }, { localAddress });
  /** The version the page says it published, once the node runs it. */
  const published = async (): Promise<number> => {
    await expect.poll(() => byTestId('lists-outcome').getAttribute('class'), UI_WAIT).toBe('ok-note');
    const version = Number(/policy version (\d+)/.exec((await byTestId('lists-outcome').textContent()) ?? '')?.[1]);
    await waitFor(`the node on policy version ${version}`, async () => ((await cluster.status()).nodes[0]?.policyVersion === version ? true : undefined));
    return version;
  };

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1 });
    ({ browser, page, cspViolations } = await openConsoleBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('refuses a pasted list line by line and publishes nothing', async () => {
    expect((await send(BLOCKED)).accepted).toBe(true);
    await signInAt(page, cluster, '/lists');
    await expect.poll(() => byTestId('lists-version').textContent(), UI_WAIT).toMatch(/^\d+$/);
    const before = await byTestId('lists-version').textContent();
    await byTestId('lists-paste').fill(`${BLOCKED}\nnot-an-ip\n\n10.0.0.0/40`);
    await byTestId('lists-add').click();
    await expect.poll(() => byTestId('lists-problem').allTextContents(), UI_WAIT).toEqual([
      'line 2: "not-an-ip" must be an IPv4/IPv6 address or CIDR block',
      'line 4: "10.0.0.0/40" must be an IPv4/IPv6 address or CIDR block',
    ]);
    expect(await byTestId('lists-outcome').textContent()).toMatch(/Nothing changed: 400: invalid list edit/);
    expect(await byTestId('lists-version').textContent()).toBe(before);
    expect(await entries()).toEqual([]);
  });

  it('publishes a pasted block list with its comment, and the node refuses the blocked client', async () => {
    await byTestId('lists-paste').fill(`${BLOCKED}\n192.0.2.0/24\n`);
    await byTestId('lists-comment').fill('block the test host');
    await byTestId('lists-add').click();
    const version = await published();
    expect(await byTestId('lists-outcome').textContent()).toMatch(/^\s*2 entries added; published as policy version/);
    await expect.poll(entries, UI_WAIT).toEqual([BLOCKED, '192.0.2.0/24']);
    const versions = (await cluster.csmGet('/api/policy/versions')) as { version: number; author: string; comment: string }[];
    expect(versions.find((v) => v.version === version)).toMatchObject({ author: 'admin', comment: 'block the test host' });

    const refused = await send(BLOCKED);
    expect(refused).toMatchObject({ accepted: false, code: 554 });
    expect(refused.response).toMatch(/client address blocked by policy/);
    expect((await send(OTHER)).accepted).toBe(true);

    await byTestId('lists-search').fill('192.0');
    await expect.poll(entries, UI_WAIT).toEqual(['192.0.2.0/24']);
    await byTestId('lists-search').fill('');
    await page.screenshot({ path: `${RESULTS_DIR}console-lists.png`, fullPage: true });
  });

  it("blocks a sender in a domain's own list", async () => {
    await byTestId('lists-scope').selectOption('example.test');
    await byTestId('lists-kind').selectOption('sender-block');
    await expect.poll(entries, UI_WAIT).toEqual([]);
    await byTestId('lists-paste').fill('spammer@remote.test');
    await byTestId('lists-add').click();
    await published();
    await expect.poll(entries, UI_WAIT).toEqual(['spammer@remote.test']);
    const lists = (await cluster.csmGet('/api/lists')) as { lists: { senderBlock: string[] }; domains: { name: string; lists: { senderBlock: string[] } }[] };
    expect(lists.lists.senderBlock).toEqual([]);
    expect(lists.domains.find((d) => d.name === 'example.test')?.lists.senderBlock).toEqual(['spammer@remote.test']);
    const refused = await send(OTHER, 'spammer@remote.test');
    expect(refused.accepted).toBe(false);
    expect(refused.code).toBeGreaterThanOrEqual(500);
    expect((await send(OTHER, 'friend@remote.test')).accepted).toBe(true);
  });

  it('removes the blocked address and the node lets the client in again', async () => {
    await byTestId('lists-scope').selectOption('');
    await byTestId('lists-kind').selectOption('ip-block');
    await expect.poll(entries, UI_WAIT).toEqual([BLOCKED, '192.0.2.0/24']);
    await page.locator(`[data-testid="list-entry"][data-value="${BLOCKED}"] [data-testid="list-remove"]`).click();
    await published();
    expect(await byTestId('lists-outcome').textContent()).toContain(`${BLOCKED} removed`);
    await expect.poll(entries, UI_WAIT).toEqual(['192.0.2.0/24']);
    expect((await send(BLOCKED)).accepted).toBe(true);
  });

  it('searches the accounts and imports a CSV file, naming its bad lines; no password hash is shown', async () => {
    const token = await cluster.token();
    const password = await cluster.csmFetch('/api/accounts/alice@example.test/password', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'correct horse battery staple 42' }),
    });
    expect(password.status).toBe(200);
    await page.goto(`${cluster.csmUrl}/accounts`);
    await expect.poll(() => page.locator('[data-testid="account-row"][data-address="alice@example.test"] [data-testid="account-password"]').textContent(), UI_WAIT).toBe('set');
    expect(await page.content()).not.toMatch(/scrypt|passwordHash|"salt"/i);
    await byTestId('accounts-search').fill('BOB');
    await expect.poll(() => byTestId('account-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address'))), UI_WAIT).toEqual(['bob@example.test']);
    await byTestId('accounts-search').fill('');

    await byTestId('accounts-file').setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from('address,name\ncarol@example.test,Carol\nnot-an-address\ndave@elsewhere.test\n') });
    await expect.poll(() => byTestId('accounts-csv').inputValue(), UI_WAIT).toContain('carol@example.test');
    await byTestId('accounts-import').click();
    await expect.poll(() => byTestId('accounts-problem').allTextContents(), UI_WAIT).toEqual([
      'line 3: "not-an-address" is not an email address',
      "line 4: elsewhere.test is not one of the tenant's domains",
    ]);
    expect(await byTestId('account-row').count()).toBe(2);

    await byTestId('accounts-csv').fill('address\ncarol@example.test\n"dave@example.test",Dave\n');
    await byTestId('accounts-import').click();
    await expect.poll(() => byTestId('accounts-outcome').textContent(), UI_WAIT).toMatch(/Imported as policy version \d+\. example\.test: 4 accounts \(2 new\)/);
    await expect
      .poll(() => byTestId('account-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address'))), UI_WAIT)
      .toEqual(['alice@example.test', 'bob@example.test', 'carol@example.test', 'dave@example.test']);
    await page.screenshot({ path: `${RESULTS_DIR}console-accounts.png`, fullPage: true });
  });

  it('fits a 390 px wide screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/lists', '/accounts']) {
      await page.goto(`${cluster.csmUrl}${path}`);
      await expect.poll(() => byTestId(path === '/lists' ? 'lists-version' : 'accounts-version').count(), UI_WAIT).toBe(1);
      expect(await page.locator('html').evaluate((html) => html.scrollWidth), path).toBeLessThanOrEqual(390);
    }
    await page.screenshot({ path: `${RESULTS_DIR}console-accounts-390.png`, fullPage: true });
    expect(cspViolations).toEqual([]);
  });
});
