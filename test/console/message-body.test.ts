// Issue 16: a kept message's body on the console's message page, in headless Chromium against a real cluster that
// keeps inbound bodies (retention "all"). The HTML part is shown in a sandboxed iframe under a CSP that fetches
// nothing: the mail's script must not run and its remote image must not load (a local HTTP server counts the
// requests it gets). The .eml downloads as received; the message is forwarded to an address, from its page and in
// bulk from the mail page, and arrives at a real SMTP server (the demo "internet", the outbound smarthost); a body
// the policy no longer keeps says why; the nodes page shows the body store's size.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { readMailbox } from '../harness/mailbox.js';
import { waitFor } from '../harness/wait.js';

const CONSOLE_INDEX = fileURLToPath(new URL('../../apps/console/dist/browser/index.html', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const UI_WAIT = { timeout: 20_000 };

describe('console: a kept message body, sanitised', () => {
  const run = `mb${Date.now().toString(36)}`;
  const subject = `${run} newsletter`;
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  let tracker: Server;
  let messageId: string;
  const trackerHits: string[] = [];
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console (npm run build)`);
    const trackerPort = defined((await freePorts(1))[0], 'a free port');
    tracker = createServer((request, response) => {
      trackerHits.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/gif' }).end();
    });
    await new Promise<void>((resolve) => tracker.listen(trackerPort, '127.0.0.1', resolve));
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, retention: { inbound: { bodies: 'all', days: 1 } } }) });
    const html = [
      `<p id="greeting">Hello from ${run}</p>`,
      `<img id="pixel" src="http://127.0.0.1:${trackerPort}/pixel.gif?${run}" width="1" height="1">`,
      `<script>document.body.insertAdjacentHTML('beforeend', '<p id="ran">script ran</p>'); new Image().src = 'http://127.0.0.1:${trackerPort}/script';</script>`,
    ].join('\r\n');
    const raw = [
      'From: news@remote.test',
      'To: alice@example.test',
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Hello from ${run} (text)`,
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--alt--',
      '',
    ].join('\r\n');
    expect((await cluster.sendMail(0, { from: 'news@remote.test', to: 'alice@example.test', subject, raw })).accepted).toBe(true);
    const row = await waitFor('the message tracked', async () => (await cluster.searchMail(['--subject', run]))[0]);
    messageId = row.id;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, ignoreHTTPSErrors: true, acceptDownloads: true });
    // A deep link to the message: the login comes first, then the page asked for.
    await page.goto(`${cluster.csmUrl}/mail/${messageId}`);
    await page.waitForURL('**/login?**');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(cluster.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/mail/${messageId}`);
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await new Promise((resolve) => tracker?.close(resolve));
  });

  it('shows the HTML part without running its script or loading its remote image, and the text part as text', async () => {
    await byTestId('body-show').click();
    const frame = page.frameLocator('[data-testid="body-html"]');
    await expect.poll(() => frame.locator('#greeting').textContent(), UI_WAIT).toBe(`Hello from ${run}`);
    expect(await byTestId('body-html').getAttribute('sandbox')).toBe('');
    expect(await byTestId('body-text').textContent()).toContain(`Hello from ${run} (text)`);
    // Give the image and the script time to try.
    await page.waitForTimeout(1500);
    expect(await frame.locator('#ran').count()).toBe(0);
    expect(await frame.locator('#pixel').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(0);
    expect(trackerHits).toEqual([]);
  });

  it('downloads the kept message as .eml, as received', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), byTestId('body-download').click()]);
    expect(download.suggestedFilename()).toBe(`${messageId}.eml`);
    const eml = readFileSync(await download.path(), 'utf8');
    expect(eml).toContain(`Subject: ${subject}`);
    expect(eml).toContain(`<p id="greeting">Hello from ${run}</p>`);
  });

  /** Messages the demo internet server received for ADDRESS. */
  const arrivedFor = (address: string) =>
    waitFor(`a message for ${address} at the demo internet server`, async () => {
      const found = (await readMailbox(cluster.cluster.paths.internet)).filter((m) => m.deliveredTo.includes(address));
      return found.length > 0 ? found : undefined;
    });

  it('forwards the message to an address from its page; it arrives with a trace header, and the action is listed', async () => {
    await byTestId('message-forward-to').fill(`review-${run}@elsewhere.test`);
    await byTestId('message-forward').click();
    await expect.poll(() => byTestId('message-outcome').textContent(), UI_WAIT).toMatch(/^Forward: done \(message \S+ queued as \S+ for review-/);
    const [arrived] = await arrivedFor(`review-${run}@elsewhere.test`);
    expect(arrived?.subject).toBe(subject);
    expect(arrived?.raw).toContain(`X-Moat-Admin-Forward: message ${messageId} by admin to review-${run}@elsewhere.test`);
    expect(arrived?.raw).toContain(`<p id="greeting">Hello from ${run}</p>`);
    await expect.poll(() => page.locator('[data-testid="message-action-row"][data-action-name="mail.forward"]').textContent(), UI_WAIT).toContain(`to review-${run}@elsewhere.test`);
  });

  it('forwards selected messages in bulk from the mail page, and says why an address is refused', async () => {
    await page.goto(`${cluster.csmUrl}/mail?subject=${encodeURIComponent(run)}`);
    const row = page.locator(`[data-testid="mail-row"][data-subject="${subject}"]`);
    await expect
      .poll(async () => {
        await row.locator('[data-testid="select-row"]').check();
        return byTestId('selected-count').textContent();
      }, UI_WAIT)
      .toBe('1 selected');
    await byTestId('bulk-forward-to').fill('not an address');
    await byTestId('bulk-forward').click();
    await expect.poll(() => byTestId('action-outcome').textContent(), UI_WAIT).toMatch(/Forward failed: 400: invalid forward.*to: must be an email address/s);
    await byTestId('bulk-forward-to').fill(`bulk-${run}@elsewhere.test`);
    await byTestId('bulk-forward').click();
    await expect.poll(() => byTestId('action-outcome').textContent(), UI_WAIT).toMatch(/Forward: 1 done, 0 failed/);
    expect((await arrivedFor(`bulk-${run}@elsewhere.test`)).map((m) => m.subject)).toEqual([subject]);
  });

  it('finds the message by words of its body (F14), chosen as a condition in the search form', async () => {
    await page.goto(`${cluster.csmUrl}/mail`);
    await byTestId('add-condition').click();
    const last = (testId: string) => byTestId(testId).last();
    await last('condition-field').selectOption('body');
    await last('condition-value').fill(`hello FROM ${run}`);
    await byTestId('search-submit').click();
    await page.waitForURL((url) => url.searchParams.get('body') === `hello FROM ${run}`);
    await expect.poll(() => page.locator('[data-testid="mail-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-subject'))), UI_WAIT).toEqual([subject]);
    await page.goto(`${cluster.csmUrl}/mail?body=${encodeURIComponent(`not in any body ${run}`)}`);
    await expect.poll(() => page.getByText('No message matches this search.').count(), UI_WAIT).toBe(1);
    expect(await byTestId('mail-row').count()).toBe(0);
  });

  it('shows the size of the body store on the nodes page', async () => {
    await page.goto(`${cluster.csmUrl}/nodes`);
    await expect.poll(() => byTestId('body-store-messages').textContent(), UI_WAIT).toMatch(/^[1-9]\d* messages/);
    expect(await byTestId('body-store-size').textContent()).toMatch(/bytes|KiB|MiB/);
  });

  it('says why a body is not shown once the retention policy keeps none', async () => {
    const headers = { authorization: `Bearer ${await cluster.token()}`, 'content-type': 'application/json' };
    const current = (await (await cluster.csmFetch('/api/policy', { headers })).json()) as { policy: Record<string, unknown> };
    const put = await cluster.csmFetch('/api/policy', { method: 'PUT', headers, body: JSON.stringify({ policy: { ...current.policy, retention: { inbound: { bodies: 'none', days: 1 } } }, comment: 'keep no bodies' }) });
    expect(put.status).toBe(200);
    await page.goto(`${cluster.csmUrl}/mail/${messageId}`);
    await byTestId('body-show').click();
    await expect.poll(() => byTestId('body-error').textContent(), UI_WAIT).toMatch(/^Body not available: 404: the body of message \S+ is not kept: the retention policy keeps no inbound bodies$/);
    await byTestId('body-download').click();
    await expect.poll(() => byTestId('body-error').textContent(), UI_WAIT).toMatch(/retention policy keeps no inbound bodies/);
  });
});
