// Issue 16 (F13, F16): the dashboard and statistics pages in headless Chromium against a real cluster (NATS,
// clamd with Moat's offline signatures, the CSM serving the built console, a scan node, the demo mailbox). Mail
// sent by SMTP while the dashboard is open moves its counts in place (same elements, same layout); the virus
// count and the top virus click through to /mail listing exactly those messages; other ranges (kept in the URL)
// and an empty one; the statistics page breaks the counts down by direction and downloads them as CSV and XLSX.
import ExcelJS from 'exceljs';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentMail, EICAR } from '../harness/attachment-mail.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, signInAt } from '../harness/console-browser.js';

/** The page polls every 5 s and the CSM inserts events in batches: room for a loaded machine. */
const UI_WAIT = { timeout: 30_000 };

const run = `db${Date.now().toString(36)}`;

describe('console dashboard and statistics', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);
  const cell = (category: string, direction = 'inbound') => page.locator(`[data-testid="category-${category}"] [data-testid="count-${direction}"]`);
  let cspViolations: string[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, attachments: { antivirus: { infected: 'quarantine' } } }) });
    ({ browser, page, cspViolations } = await openConsoleBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('moves the counts in place as mail arrives, without a layout jump', async () => {
    await signInAt(page, cluster, '/dashboard');
    await expect.poll(() => byTestId('total-messages').textContent(), UI_WAIT).toBe('0');
    expect(await byTestId('chart').locator('.column').count()).toBeGreaterThanOrEqual(24);
    const virusCell = await cell('virus').elementHandle();
    const tableBox = await byTestId('category-table').boundingBox();

    for (const n of [1, 2]) expect((await cluster.sendMail(0, { from: `billing-${run}@remote.test`, to: 'alice@example.test', subject: `${run} invoice ${n}`, raw: attachmentMail(`${run} invoice ${n}`, 'invoice.txt', EICAR) })).accepted).toBe(true);
    for (const n of [1, 2, 3]) expect((await cluster.sendMail(0, { from: `friend-${run}@remote.test`, to: 'bob@example.test', subject: `${run} hello ${n}` })).accepted).toBe(true);

    await expect.poll(() => virusCell?.textContent(), UI_WAIT).toBe('2');
    await expect.poll(() => cell('normal').textContent(), UI_WAIT).toBe('3');
    // The same element took the new number (updated in place, not rendered anew), and nothing moved.
    expect(await virusCell?.evaluate((el) => el.isConnected)).toBe(true);
    expect(await byTestId('category-table').boundingBox()).toEqual(tableBox);
    expect(await byTestId('total-messages').textContent()).toBe('5');
    expect(await page.locator('[data-testid="top-viruses"] a').first().getAttribute('data-key')).toMatch(/eicar/i);
    expect(await page.locator('[data-testid="top-senders"] a').evaluateAll((links) => links.map((a) => a.getAttribute('data-key')))).toEqual([`friend-${run}@remote.test`, `billing-${run}@remote.test`]);
  });

  it('clicks through from the virus count to the mail search listing those messages', async () => {
    await cell('virus').click();
    await page.waitForURL((url) => url.pathname === '/mail' && url.searchParams.get('category') === 'virus' && url.searchParams.get('direction') === 'inbound' && url.searchParams.has('from'));
    const rows = page.locator('[data-testid="mail-row"]');
    await expect.poll(() => rows.count(), UI_WAIT).toBe(2);
    expect((await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-subject')))).sort()).toEqual([`${run} invoice 1`, `${run} invoice 2`]);

    await page.goBack();
    await page.waitForURL('**/dashboard');
    await page.locator('[data-testid="top-viruses"] a').first().click();
    await page.waitForURL((url) => url.pathname === '/mail' && /eicar/i.test(url.searchParams.get('virus') ?? ''));
    await expect.poll(() => rows.count(), UI_WAIT).toBe(2);
  });

  it('shows other ranges by day, and an empty range as zeros', async () => {
    await page.goBack();
    await page.waitForURL('**/dashboard');
    await byTestId('range-7d').click();
    await expect.poll(() => page.locator('#chart-title').textContent(), UI_WAIT).toBe('Per day');
    expect(await byTestId('chart').locator('.column').count()).toBe(8);
    await expect.poll(() => byTestId('total-messages').textContent(), UI_WAIT).toBe('5');
    // The range is in the URL: back from the mail search, the dashboard shows it again.
    expect(new URL(page.url()).searchParams.get('range')).toBe('7d');
    await cell('normal').click();
    await page.waitForURL((url) => url.pathname === '/mail');
    await page.goBack();
    await expect.poll(() => page.locator('#chart-title').textContent(), UI_WAIT).toBe('Per day');

    await byTestId('range-custom').click();
    await byTestId('range-from').fill('2001-01-01T00:00');
    await byTestId('range-to').fill('2001-01-08T00:00');
    await byTestId('range-apply').click();
    await page.waitForURL((url) => url.searchParams.get('from') === new Date(2001, 0, 1).toISOString());
    await expect.poll(() => byTestId('total-messages').textContent(), UI_WAIT).toBe('0');
    expect(await page.locator('[data-testid="category-table"] [data-testid="count-inbound"]').allTextContents()).toEqual(Array.from({ length: 7 }, () => '0'));
    expect(await page.locator('.chart-note').textContent()).toContain('No messages in this range.');
    expect(await byTestId('refresh-error').count()).toBe(0);

    await byTestId('range-to').fill('2000-01-01T00:00');
    await byTestId('range-apply').click();
    expect(await byTestId('range-problem').textContent()).toBe('The start of the range must come before its end');
  });

  it('breaks statistics down by direction and downloads them as CSV and XLSX', async () => {
    await page.getByRole('link', { name: 'Statistics' }).click();
    await page.waitForURL('**/statistics');
    await byTestId('stats-by').selectOption('direction');
    await byTestId('stats-submit').click();
    await expect.poll(() => page.locator('[data-testid="stats-row"][data-key="inbound"] [data-testid="stats-total"]').textContent(), UI_WAIT).toBe('5');

    const [csv] = await Promise.all([page.waitForEvent('download'), byTestId('stats-csv').click()]);
    expect(csv.suggestedFilename()).toBe('moat-stats-by-direction.csv');
    expect(readFileSync(await csv.path(), 'utf8')).toBe('\ufeffdirection,action,count\r\ninbound,deliver,3\r\ninbound,quarantine,2\r\n');

    await byTestId('stats-by').selectOption('user');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), byTestId('stats-xlsx').click()]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await xlsx.path());
    const rows = workbook.getWorksheet('by user')?.getSheetValues().slice(1).map((r) => (Array.isArray(r) ? r.slice(1) : []));
    expect(rows).toEqual([
      ['user', 'action', 'count'],
      ['bob@example.test', 'deliver', 3],
      ['alice@example.test', 'quarantine', 2],
    ]);
    expect(cspViolations).toEqual([]);
  });
});
