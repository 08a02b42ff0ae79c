// Issue 16: the console's mail tracking, message and audit pages in headless Chromium against a real cluster
// (NATS, clamd with Moat's offline signatures, the CSM serving the built console, a scan node, the demo mailbox).
// Two messages carrying the EICAR test file are quarantined (the policy quarantines infected mail) and one clean
// message is delivered; an OR search finds all three, one is opened and released into the mailbox, another is
// deleted from the list in bulk, the result set is exported as CSV and XLSX, and the release shows in the audit log.
// Screenshots go to test-results/ (docs/console/ holds copies for the documentation).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachmentMail, EICAR } from '../harness/attachment-mail.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { CHROMIUM_ARGS, CONSOLE_INDEX, RESULTS_DIR } from '../harness/console-browser.js';
import { waitFor } from '../harness/wait.js';

/** Pages wait on the CSM, and a release or delete on a round trip to the node: room for a loaded machine. */
const UI_WAIT = { timeout: 20_000 };

const run = `cm${Date.now().toString(36)}`;
const subjects = { released: `${run} invoice A`, deleted: `${run} invoice B`, clean: `${run} clean` };

const eicarMail = (subject: string) => attachmentMail(subject, 'invoice.txt', EICAR);

describe('console mail tracking, message and audit pages', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);
  const row = (subject: string) => page.locator(`[data-testid="mail-row"][data-subject="${subject}"]`);
  const ids = new Map<string, string>();
  const cspViolations: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console (npm run build)`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, attachments: { antivirus: { infected: 'quarantine' } } }) });
    for (const subject of [subjects.released, subjects.deleted]) {
      expect((await cluster.sendMail(0, { from: `billing-${run}@remote.test`, to: 'alice@example.test', subject, raw: eicarMail(subject) })).accepted).toBe(true);
    }
    expect((await cluster.sendMail(0, { from: 'friend@remote.test', to: 'alice@example.test', subject: subjects.clean, body: 'hello\n' })).accepted).toBe(true);
    const rows = await waitFor('the three messages tracked', async () => {
      const found = await cluster.searchMail(['--subject', run]);
      return found.length === 3 ? found : undefined;
    });
    for (const m of rows) ids.set(m.subject, m.id);
    expect(rows.filter((m) => m.action === 'quarantine').map((m) => m.subject).sort()).toEqual([subjects.released, subjects.deleted]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, ignoreHTTPSErrors: true, acceptDownloads: true });
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('keeps a deep link through the login', async () => {
    await page.goto(`${cluster.csmUrl}/mail?node=node-1`);
    await page.waitForURL('**/login?**');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(cluster.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/mail?node=node-1');
    await expect.poll(() => byTestId('condition-value').first().inputValue(), UI_WAIT).toBe('node-1');
    await expect.poll(() => byTestId('mail-row').count(), UI_WAIT).toBe(3);
  });

  it('finds the messages with an OR condition built in the form, and keeps it in the URL', async () => {
    await page.getByRole('button', { name: 'Remove condition 1' }).click();
    await byTestId('add-condition').click();
    await byTestId('condition-value').nth(0).fill(subjects.clean);
    await byTestId('condition-field').nth(0).selectOption('subject');
    await byTestId('add-condition').click();
    await byTestId('condition-field').nth(1).selectOption('symbol');
    await byTestId('condition-value').nth(1).fill('AV_VIRUS');
    await byTestId('search-match').selectOption('any');
    await byTestId('search-submit').click();
    await page.waitForURL((url) => url.searchParams.get('match') === 'any' && url.searchParams.get('symbol') === 'AV_VIRUS');
    // AND would match none of them; OR matches the clean one by subject and the infected ones by symbol (and
    // older mail with AV_VIRUS, of which this cluster has none).
    await expect.poll(() => byTestId('mail-row').count(), UI_WAIT).toBe(3);
    expect(await row(subjects.released).locator('[data-testid="mail-result"]').textContent()).toMatch(/quarantine/);
    expect(await row(subjects.clean).locator('[data-testid="mail-result"]').textContent()).toMatch(/deliver/);
    expect(await row(subjects.released).locator('[data-testid="mail-node"]').textContent()).toBe('node-1');
    expect(await row(subjects.released).textContent()).toContain('invoice.txt');
    await page.screenshot({ path: `${RESULTS_DIR}console-mail.png`, fullPage: true });
  });

  it('opens a message, shows the symbol that quarantined it, and releases it into the mailbox', async () => {
    await row(subjects.released).getByRole('link').click();
    await page.waitForURL(`**/mail/${ids.get(subjects.released)}`);
    const symbol = page.locator('[data-testid="symbol-row"][data-symbol="AV_VIRUS"]');
    await expect.poll(() => symbol.count(), UI_WAIT).toBe(1);
    expect(await symbol.textContent()).toMatch(/forced the action/);
    expect(await symbol.textContent()).toMatch(/malware|virus/i);
    expect(await byTestId('verdict-summary').textContent()).toContain('AV_VIRUS');
    expect(await byTestId('attachment-row').textContent()).toContain('invoice.txt');
    await expect.poll(() => byTestId('message-node').textContent(), UI_WAIT).toBe('node-1');
    await byTestId('message-release').click();
    await expect.poll(() => byTestId('message-outcome').textContent(), UI_WAIT).toMatch(/^Release: done/);
    expect((await cluster.waitForMailbox(1, (m) => m.subject === subjects.released)).map((m) => m.deliveredTo)).toEqual([['alice@example.test']]);
    await expect.poll(() => page.locator('[data-testid="message-action-row"][data-action-name="mail.release"]').textContent(), UI_WAIT).toContain('admin');
    await page.screenshot({ path: `${RESULTS_DIR}console-message.png`, fullPage: true });
  });

  it('goes back to the same search, deletes a message in bulk and exports the result set as CSV', async () => {
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/mail' && url.searchParams.get('match') === 'any');
    await expect.poll(() => byTestId('mail-row').count(), UI_WAIT).toBe(3);
    // The list may still be rendering the search it went back to: select until the selection holds.
    await expect
      .poll(async () => {
        await row(subjects.deleted).locator('[data-testid="select-row"]').check();
        return byTestId('selected-count').textContent();
      }, UI_WAIT)
      .toBe('1 selected');
    await byTestId('bulk-delete').click();
    await expect.poll(() => byTestId('action-outcome').textContent(), UI_WAIT).toMatch(/Delete from quarantine: 1 done, 0 failed/);
    // The node records the deletion and the release's delivery as events; search again until the list shows them.
    await expect
      .poll(
        async () => {
          await byTestId('search-submit').click();
          await page.waitForTimeout(300);
          return [await row(subjects.deleted).locator('[data-testid="mail-delivery"]').textContent(), await row(subjects.released).locator('[data-testid="mail-restored"]').textContent()];
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toEqual(['deleted', 'yes']);

    const [download] = await Promise.all([page.waitForEvent('download'), byTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toBe('moat-mail.csv');
    const lines = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^date,node,attachment,result/);
    expect(lines.find((l) => l.includes(subjects.released))).toMatch(/,node-1,invoice\.txt,quarantine,.*,true,[^,]+$/);
    expect(lines.find((l) => l.includes(subjects.deleted))).toMatch(/,deleted,false,[^,]+$/);
    expect(lines.find((l) => l.includes(subjects.clean))).toMatch(/,deliver,/);
    const [workbook] = await Promise.all([page.waitForEvent('download'), byTestId('export-xlsx').click()]);
    expect(workbook.suggestedFilename()).toBe('moat-mail.xlsx');
    // An XLSX file is a ZIP archive.
    expect(readFileSync(await workbook.path()).subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  });

  it('shows the release in the audit log and verifies the chain', async () => {
    await byTestId('nav-audit').click();
    await page.waitForURL('**/audit');
    await byTestId('audit-action').fill('mail.release');
    await byTestId('audit-submit').click();
    await page.waitForURL('**/audit?action=mail.release');
    const release = page.locator('[data-testid="audit-row"][data-action-name="mail.release"]');
    await expect.poll(() => release.count(), UI_WAIT).toBe(1);
    expect(await release.locator('[data-testid="audit-actor-cell"]').textContent()).toBe('admin');
    expect(await release.locator('[data-testid="audit-target-cell"]').textContent()).toContain(ids.get(subjects.released));
    await byTestId('verify-chain').click();
    await expect.poll(() => byTestId('verify-result').getAttribute('data-ok'), UI_WAIT).toBe('true');
    expect(await byTestId('verify-result').textContent()).toMatch(/Chain intact: \d+ entries checked/);
    await page.screenshot({ path: `${RESULTS_DIR}console-audit.png`, fullPage: true });
  });

  it('says in words why a message cannot be shown, pages with Load more, and fits a 390 px wide screen', async () => {
    await page.goto(`${cluster.csmUrl}/mail/no-such-message`);
    await expect.poll(() => byTestId('message-error').textContent(), UI_WAIT).toMatch(/^404: /);
    await page.setViewportSize({ width: 390, height: 844 });
    // Two rows a page (the URL's limit): the third comes with "Load more", never cut silently.
    await page.goto(`${cluster.csmUrl}/mail?subject=${encodeURIComponent(run)}&limit=2`);
    await expect.poll(() => byTestId('mail-row').count(), UI_WAIT).toBe(2);
    await byTestId('load-more').click();
    await expect.poll(() => byTestId('mail-row').count(), UI_WAIT).toBe(3);
    expect(await byTestId('load-more').count()).toBe(0);
    expect(new Set(await page.locator('[data-testid="mail-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-subject')))).size).toBe(3);
    // The page does not scroll sideways: only the table's own panel does.
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${RESULTS_DIR}console-mail-390.png`, fullPage: true });
    expect(cspViolations).toEqual([]);
  });
});
