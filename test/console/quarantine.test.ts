// Issue 16: the console's quarantine page in headless Chromium against a real cluster (NATS, clamd with Moat's
// offline signatures, the CSM serving the built console, a scan node, the demo mailbox). Two messages carrying the
// EICAR test file and one with a blocked extension (.bat) are quarantined (the policy quarantines both instead of
// refusing them). The page groups them by reason with counts and shows each one's expiry; the two infected ones are
// deleted in bulk; then the expiry period is shortened on the page and the CSM's sweeper deletes the third (audited
// as system, tracking shows `expired`). Screenshots go to test-results/ (copies in docs/console/).
import { expect, afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { attachmentMail, EICAR } from '../harness/attachment-mail.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, RESULTS_DIR, signInAt } from '../harness/console-browser.js';
import { waitFor } from '../harness/wait.js';

/** Pages wait on the CSM, a delete on the object store: room for a loaded machine. */
const UI_WAIT = { timeout: 20_000 };

const run = `cq${Date.now().toString(36)}`;
const subjects = { virusA: `${run} virus A`, virusB: `${run} virus B`, script: `${run} script` };

interface HeldPage {
  messages: { id: string; subject: string; reason: string; expiresAtMs: number; receivedAtMs: number }[];
  counts: Record<string, number>;
  total: number;
  days: number;
}

describe('console quarantine page', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  let cspViolations: string[];
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);
  const row = (subject: string) => page.locator(`[data-testid="held-row"][data-subject="${subject}"]`);
  const ids = new Map<string, string>();

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 1,
      policy: (demo) => ({ ...demo, attachments: { antivirus: { infected: 'quarantine' }, blockedExtensions: { action: 'quarantine' }, types: { executable: 'never' } } }),
    });
    for (const [subject, file, content] of [
      [subjects.virusA, 'invoice.txt', EICAR],
      [subjects.virusB, 'receipt.txt', EICAR],
      [subjects.script, 'setup.bat', '@echo off\r\necho hello\r\n'],
    ] as const) {
      const sent = await cluster.sendMail(0, { from: `billing-${run}@remote.test`, to: 'alice@example.test', subject, raw: attachmentMail(subject, file, content) });
      expect(sent, `${subject}: ${sent.response}`).toMatchObject({ accepted: true });
    }
    const held = await waitFor('the three messages in the quarantine', async () => {
      const listed = (await cluster.csmGet('/api/quarantine')) as HeldPage;
      return listed.total === 3 ? listed : undefined;
    });
    for (const m of held.messages) ids.set(m.subject, m.id);
    ({ browser, page, cspViolations } = await openConsoleBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('shows what is held by reason, with counts and the expiry of each message', async () => {
    await signInAt(page, cluster, '/quarantine');
    await expect.poll(() => byTestId('held-row').count(), UI_WAIT).toBe(3);
    expect(await byTestId('reason-all').locator('[data-testid="reason-count"]').textContent()).toBe('3');
    expect(await byTestId('reason-virus').locator('[data-testid="reason-count"]').textContent()).toBe('2');
    expect(await byTestId('reason-attachment').locator('[data-testid="reason-count"]').textContent()).toBe('1');
    expect(await byTestId('reason-spam').locator('[data-testid="reason-count"]').textContent()).toBe('0');
    expect(await row(subjects.virusA).getAttribute('data-reason')).toBe('virus');
    expect(await row(subjects.virusA).locator('[data-testid="held-reason"]').textContent()).toMatch(/^Virus.*AV_VIRUS/);
    expect(await row(subjects.script).locator('[data-testid="held-reason"]').textContent()).toMatch(/^Attachment rule.*ATTACHMENT_/);
    // Kept 30 days by default: a message that arrived a moment ago goes in 29 full days and some hours.
    expect(await row(subjects.script).locator('[data-testid="held-expires"]').textContent()).toBe('in 29 days');
    expect(await byTestId('quarantine-days').textContent()).toBe('30 days');
    await page.screenshot({ path: `${RESULTS_DIR}console-quarantine.png`, fullPage: true });
  });

  it('filters by reason in the URL and deletes the infected messages in bulk', async () => {
    await byTestId('reason-virus').click();
    await page.waitForURL((url) => url.searchParams.get('reason') === 'virus');
    await expect.poll(() => byTestId('held-row').count(), UI_WAIT).toBe(2);
    await expect
      .poll(async () => {
        await byTestId('select-all').check();
        return byTestId('selected-count').textContent();
      }, UI_WAIT)
      .toBe('2 selected');
    await byTestId('bulk-delete').click();
    await expect.poll(() => byTestId('action-outcome').textContent(), UI_WAIT).toMatch(/Delete: 2 done, 0 failed/);
    // The list empties as it reloads; the counts change once the new listing is in.
    await expect.poll(() => byTestId('reason-all').locator('[data-testid="reason-count"]').textContent(), UI_WAIT).toBe('1');
    expect(await byTestId('reason-virus').locator('[data-testid="reason-count"]').textContent()).toBe('0');
    expect(await byTestId('held-row').count()).toBe(0);
    // Gone from the object store, and tracking says so.
    for (const subject of [subjects.virusA, subjects.virusB]) {
      const response = await cluster.csmFetch(`/api/mail/${ids.get(subject)}/body`, { headers: { authorization: `Bearer ${await cluster.token()}` } });
      expect(response.status).toBe(404);
    }
    const tracked = await cluster.searchMail(['--subject', run]);
    expect(tracked.filter((m) => m.deliveryStatus === 'deleted').map((m) => m.subject).sort()).toEqual([subjects.virusA, subjects.virusB]);
  });

  it('shortens the expiry on the page and the sweeper deletes what is held longer, audited as system', async () => {
    await byTestId('reason-all').click();
    await page.waitForURL((url) => !url.searchParams.has('reason'));
    await expect.poll(() => byTestId('held-row').count(), UI_WAIT).toBe(1);
    // A bad value is refused in words before anything is sent.
    await byTestId('quarantine-days-input').fill('0');
    await byTestId('quarantine-days-save').click();
    expect(await byTestId('quarantine-days-outcome').textContent()).toMatch(/Days must be a number above 0/);
    // 0.0002 days is 17 seconds: the message, sent before the cluster's browser started, expires within a sweep or two.
    await byTestId('quarantine-days-input').fill('0.0002');
    await byTestId('quarantine-days-save').click();
    await expect.poll(() => byTestId('quarantine-days-outcome').textContent(), UI_WAIT).toMatch(/kept 0\.0002 days \(policy version \d+\)/);
    const id = ids.get(subjects.script) ?? '';
    const expired = await waitFor(
      'the blocked attachment expired',
      async () => {
        const [m] = await cluster.searchMail(['--subject', subjects.script]);
        return m?.deliveryStatus === 'expired' ? m : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(expired.id).toBe(id);
    const audit = (await cluster.csmGet(`/api/audit?action=quarantine.expire&target=${id}`)) as { entries: { admin: string; detail: string }[] };
    expect(audit.entries).toEqual([expect.objectContaining({ admin: 'system', detail: 'held longer than quarantine.days (0.0002)' })]);
    const body = await cluster.csmFetch(`/api/mail/${id}/body`, { headers: { authorization: `Bearer ${await cluster.token()}` } });
    expect(body.status).toBe(404);
    await page.reload();
    await expect.poll(() => byTestId('reason-all').locator('[data-testid="reason-count"]').textContent(), UI_WAIT).toBe('0');
    expect(await byTestId('held-row').count()).toBe(0);
    expect(await byTestId('quarantine-empty').textContent()).toBe('Nothing is held.');
    expect(await byTestId('quarantine-days').textContent()).toBe('0.0002 days');
  });

  it('fits a 390 px wide screen and says in words why a filter is refused', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${cluster.csmUrl}/quarantine?reason=attachment`);
    await expect.poll(() => byTestId('reason-attachment').getAttribute('aria-pressed'), UI_WAIT).toBe('true');
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${RESULTS_DIR}console-quarantine-390.png`, fullPage: true });
    const refused = await cluster.csmFetch('/api/quarantine?reason=malware', { headers: { authorization: `Bearer ${await cluster.token()}` } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ problems: [expect.stringMatching(/^reason: must be one of virus, attachment, dlp, authentication, spam, hold/)] });
    expect(cspViolations).toEqual([]);
  });
});
