// Issue 16 (F15): the console's security log page in headless Chromium against a real cluster (NATS, clamd with
// Moat's offline signatures, chdb, the CSM serving the built console, a scan node). A mail carrying the EICAR test
// file and one with a blocked attachment (.bat) go in by SMTP; the page lists both findings (one row per symbol, with
// sender, subject, client IP and detail), filtering by kind keeps only one, sender, IP and detail words narrow it, a row opens its message page, and the
// page fits a 390 px screen. Screenshot in test-results/.
import { expect, afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { attachmentMail, EICAR } from '../harness/attachment-mail.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, RESULTS_DIR, signInAt } from '../harness/console-browser.js';
import { waitFor } from '../harness/wait.js';

const UI_WAIT = { timeout: 20_000 };

const run = `sl${Date.now().toString(36)}`;
const subjects = { virus: `${run} virus`, script: `${run} script` };
const sender = `billing-${run}@remote.test`;

interface FindingsPage {
  findings: { messageId: string; symbol: string; subject: string }[];
  nextCursor: string | null;
}

describe('console security log page', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  let cspViolations: string[];
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);
  const ours = () => page.locator('[data-testid="finding-row"]').filter({ hasText: run });
  const symbolsShown = () => ours().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-symbol')).sort());
  let virusId = '';

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 1,
      policy: (demo) => ({ ...demo, attachments: { antivirus: { infected: 'quarantine' }, blockedExtensions: { action: 'quarantine' }, types: { executable: 'never' } } }),
    });
    for (const [subject, file, content] of [
      [subjects.virus, 'invoice.txt', EICAR],
      [subjects.script, 'setup.bat', '@echo off\r\necho hello\r\n'],
    ] as const) {
      const sent = await cluster.sendMail(0, { from: sender, to: 'alice@example.test', subject, raw: attachmentMail(subject, file, content) });
      expect(sent, `${subject}: ${sent.response}`).toMatchObject({ accepted: true });
    }
    const logged = await waitFor('both findings in the security log', async () => {
      const listed = (await cluster.csmGet('/api/security-log?limit=1000')) as FindingsPage;
      const mine = listed.findings.filter((f) => f.subject.startsWith(run));
      const virus = mine.find((f) => f.symbol === 'AV_VIRUS');
      return virus && mine.some((f) => f.symbol === 'ATTACHMENT_BLOCKED_EXTENSION') ? virus : undefined;
    });
    virusId = logged.messageId;
    ({ browser, page, cspViolations } = await openConsoleBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('lists one row per finding with sender, subject, client IP and detail', async () => {
    await signInAt(page, cluster, '/security-log');
    await expect.poll(symbolsShown, UI_WAIT).toEqual(expect.arrayContaining(['ATTACHMENT_BLOCKED_EXTENSION', 'AV_VIRUS']));
    const virus = ours().and(page.locator('[data-symbol="AV_VIRUS"]'));
    expect(await virus.locator('[data-testid="finding-sender"]').textContent()).toBe(sender);
    expect(await virus.locator('[data-testid="finding-message"]').textContent()).toBe(subjects.virus);
    expect(await virus.locator('[data-testid="finding-detail"]').textContent()).toMatch(/Eicar/i);
    expect(await virus.textContent()).toContain('127.0.0.1');
    const script = ours().and(page.locator('[data-symbol="ATTACHMENT_BLOCKED_EXTENSION"]'));
    expect(await script.locator('[data-testid="finding-detail"]').textContent()).toContain('.bat');
    await page.screenshot({ path: `${RESULTS_DIR}console-security-log.png`, fullPage: true });
  });

  it('filters by kind through the URL, so only the antivirus finding is left', async () => {
    await byTestId('security-log-kind').selectOption('AV_');
    await byTestId('security-log-submit').click();
    await page.waitForURL((url) => url.searchParams.get('kind') === 'AV_');
    await expect.poll(symbolsShown, UI_WAIT).toEqual(['AV_VIRUS']);
    expect(await page.locator('[data-testid="finding-row"]').evaluateAll((rows) => rows.every((r) => r.getAttribute('data-symbol')?.startsWith('AV_')))).toBe(true);
  });

  it('searches by sender, client IP and words of the detail', async () => {
    await byTestId('security-log-kind').selectOption('');
    await byTestId('security-log-sender').fill(sender.toUpperCase());
    await byTestId('security-log-ip').fill('127.0.');
    await byTestId('security-log-text').fill('setup.bat');
    await byTestId('security-log-submit').click();
    await page.waitForURL((url) => url.searchParams.get('text') === 'setup.bat' && !url.searchParams.has('kind'));
    await expect.poll(symbolsShown, UI_WAIT).toEqual(['ATTACHMENT_BLOCKED_EXTENSION']);
    expect(await page.locator('[data-testid="finding-row"]').count()).toBe(1);
    await byTestId('security-log-ip').fill('10.');
    await byTestId('security-log-submit').click();
    await page.waitForURL((url) => url.searchParams.get('ip') === '10.');
    await expect.poll(() => page.getByText('No finding matches.').count(), UI_WAIT).toBe(1);
    await page.goto(`${cluster.csmUrl}/security-log?kind=AV_&sender=${encodeURIComponent(sender)}`);
    await expect.poll(symbolsShown, UI_WAIT).toEqual(['AV_VIRUS']);
  });

  it('fits a 390 px screen and opens the message page from a row', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await ours().locator('[data-testid="finding-message"]').click();
    await page.waitForURL(`**/mail/${virusId}`);
    await expect.poll(() => page.locator('[data-testid="symbol-row"]').count(), UI_WAIT).toBeGreaterThan(0);
    expect(cspViolations).toEqual([]);
  });
});
