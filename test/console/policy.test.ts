// Issue 16: the console's policy editor and version history in headless Chromium against a real cluster (NATS,
// clamd, the CSM serving the built console, a scan node). The administrator changes the spam tag threshold, sees
// the difference from the running version, publishes it, and the node takes the new version; an invalid value in
// the raw JSON is shown on its line and cannot be published; a change that stops mail needs an explicit
// confirmation; the history shows both versions with their author, compares them, and rolls back (a new version
// the node takes too); a domain and its downstream are added in the form and published, and removing it warns.
// An auditor sees all of it without a control that changes anything.
// Screenshots go to test-results/ (docs/console/ holds copies for the documentation).
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

const CONSOLE_INDEX = fileURLToPath(new URL('../../apps/console/dist/browser/index.html', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const UI_WAIT = { timeout: 20_000 };
const AUDITOR = { username: 'policy-auditor', password: 'an auditor passphrase' };

interface VersionedPolicy {
  version: number;
  policy: { thresholds: { tag: number; quarantine: number; reject: number } };
}

describe('console policy editor and versions', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  let first: number;
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);
  const cspViolations: string[] = [];

  const running = async () => (await cluster.csmGet('/api/policy')) as VersionedPolicy;
  /** Waits until the node runs policy VERSION (its heartbeat, through GET /api/status). */
  const nodeRuns = (version: number) =>
    waitFor(`the node on policy version ${version}`, async () => ((await cluster.status()).nodes.every((n) => n.up && n.policyVersion === version) ? true : undefined), { timeoutMs: 30_000 });

  const login = async (username: string, password: string) => {
    await page.goto(`${cluster.csmUrl}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/dashboard');
  };

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console (npm run build)`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    cluster = await startCluster({ nodes: 1 });
    const added = await cluster.moat(['admins', 'add', AUDITOR.username, '--role', 'auditor', '--password-stdin'], 60_000, `${AUDITOR.password}\n`);
    expect(added.code, added.stderr).toBe(0);
    first = (await running()).version;
    await nodeRuns(first);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, ignoreHTTPSErrors: true });
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await login('admin', cluster.adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('changes the spam tag threshold, shows the difference, publishes it, and the node takes the new version', async () => {
    await byTestId('nav-policy').click();
    await page.waitForURL('**/policy');
    await expect.poll(() => byTestId('running-version').textContent(), UI_WAIT).toBe(String(first));
    const tag = page.locator('#pf-thresholds-tag');
    expect(await tag.inputValue()).toBe('5');
    expect(await page.locator('[data-testid="field-thresholds.tag"] [data-testid="field-default"]').textContent()).toBe('Default: 5');
    // Typed key by key, a number passes through forms that are not numbers yet ("-"): nothing typed is lost.
    await tag.press('Control+A');
    await tag.pressSequentially('-2');
    await expect.poll(() => tag.inputValue(), UI_WAIT).toBe('-2');
    await tag.fill('4');
    await expect.poll(() => byTestId('draft-state').textContent(), UI_WAIT).toContain('1 change against the running version.');
    await byTestId('policy-review').click();
    const row = page.locator('[data-testid="diff-row"][data-path="thresholds.tag"]');
    await expect.poll(() => row.count(), UI_WAIT).toBe(1);
    expect([await row.locator('[data-testid="diff-old"]').textContent(), await row.locator('[data-testid="diff-new"]').textContent()]).toEqual(['5', '4']);
    expect(await byTestId('policy-diff').locator('[data-testid="diff-row"]').count()).toBe(1);
    expect(await byTestId('policy-warnings').count()).toBe(0);
    await byTestId('policy-comment').fill('tag spam earlier');
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-review.png`, fullPage: true });
    await byTestId('policy-publish').click();
    await expect.poll(() => byTestId('policy-published').textContent(), UI_WAIT).toContain(`Published version ${first + 1}.`);
    expect(await byTestId('running-version').textContent()).toBe(String(first + 1));
    expect((await running()).policy.thresholds.tag).toBe(4);
    await nodeRuns(first + 1);
  });

  it('shows an invalid value of the raw JSON on its line and does not let it be published', async () => {
    await byTestId('tab-raw').click();
    const editor = byTestId('policy-json');
    const text = await editor.inputValue();
    expect(JSON.parse(text)).toMatchObject({ thresholds: { tag: 4 } });
    const broken = text.replace('"tag": 4', '"tag": "high"');
    const line = broken.split('\n').findIndex((l) => l.includes('"tag": "high"')) + 1;
    await editor.fill(broken);
    const problem = byTestId('json-problem');
    await expect.poll(() => problem.first().getAttribute('data-line'), UI_WAIT).toBe(String(line));
    expect(await problem.first().textContent()).toMatch(/thresholds\.tag: .*number/i);
    expect(await byTestId('draft-state').textContent()).toMatch(/problem/);
    expect(await byTestId('policy-review').isDisabled()).toBe(true);
    expect(await byTestId('tab-thresholds').locator('.count').textContent()).toBe('1');
    // "Line N" selects that line in the text.
    await problem.first().getByRole('button').click();
    expect(await editor.evaluate((area: { value: string; selectionStart: number; selectionEnd: number }) => area.value.slice(area.selectionStart, area.selectionEnd))).toBe('    "tag": "high",');
    const [box, marked] = await Promise.all([editor.boundingBox(), page.locator('.gutter .bad').boundingBox()]);
    expect(marked && box && marked.y >= box.y && marked.y + marked.height <= box.y + box.height).toBe(true);
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-json.png`, fullPage: true });
    // Not JSON at all: the line is named.
    await editor.fill(text.replace('"tag": 4,', '"tag": 4'));
    await expect.poll(() => problem.first().textContent(), UI_WAIT).toMatch(/not JSON: expected "," or "}"/);
    await byTestId('policy-discard').click();
    await expect.poll(() => byTestId('draft-state').textContent(), UI_WAIT).toContain('No changes.');
  });

  it('asks for an explicit confirmation of a change that stops mail before it can be published', async () => {
    await byTestId('tab-thresholds').click();
    await page.locator('#pf-thresholds-quarantine').fill('4');
    await page.locator('#pf-thresholds-reject').fill('4');
    await expect.poll(() => byTestId('draft-state').textContent(), UI_WAIT).toContain('2 changes against the running version.');
    await byTestId('policy-review').click();
    await expect.poll(() => byTestId('policy-warning').textContent(), UI_WAIT).toBe('reject threshold 4 is not above the tag threshold 4: every message that would be tagged is rejected');
    expect(await byTestId('policy-publish').isDisabled()).toBe(true);
    await byTestId('policy-confirm').check();
    await expect.poll(() => byTestId('policy-publish').isDisabled(), UI_WAIT).toBe(false);
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-confirm.png`, fullPage: true });
    // The API refuses the same document without the confirmation.
    const current = await running();
    const refused = await cluster.csmFetch('/api/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${await cluster.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ policy: { ...current.policy, thresholds: { tag: 4, quarantine: 4, reject: 4 } }, comment: 'no confirm' }),
    });
    expect(refused.status).toBe(409);
    await byTestId('policy-discard').click();
    await expect.poll(() => byTestId('draft-state').textContent(), UI_WAIT).toContain('No changes.');
    expect((await running()).version).toBe(first + 1);
  });

  it('lists both versions with their author, compares them and rolls back to the first as a new version', async () => {
    await byTestId('policy-versions-link').click();
    await page.waitForURL('**/policy/versions');
    const version = (v: number) => page.locator(`[data-testid="version-row"][data-version="${v}"]`);
    await expect.poll(() => version(first + 1).locator('[data-testid="version-author"]').textContent(), UI_WAIT).toBe('admin');
    expect(await version(first + 1).locator('[data-testid="version-comment"]').textContent()).toBe('tag spam earlier');
    expect(await version(first).count()).toBe(1);
    expect(await version(first + 1).locator('[data-testid="version-number"]').textContent()).toContain('running');

    await byTestId('diff-from').selectOption(String(first));
    await byTestId('diff-to').selectOption(String(first + 1));
    await byTestId('diff-show').click();
    const row = page.locator('[data-testid="diff-row"][data-path="thresholds.tag"]');
    await expect.poll(() => row.count(), UI_WAIT).toBe(1);
    expect([await row.locator('[data-testid="diff-old"]').textContent(), await row.locator('[data-testid="diff-new"]').textContent()]).toEqual(['5', '4']);

    await version(first + 1).locator('[data-testid="version-view"]').click();
    await expect.poll(() => byTestId('version-document').textContent(), UI_WAIT).toContain('"tag": 4');
    expect(await byTestId('version-document').textContent()).toContain(`Version ${first + 1} by admin`);

    await version(first).locator('[data-testid="version-rollback"]').click();
    await expect.poll(() => byTestId('rollback-dialog').isVisible(), UI_WAIT).toBe(true);
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-rollback.png`, fullPage: true });
    await byTestId('rollback-confirm').click();
    await expect.poll(() => byTestId('rollback-result').textContent(), UI_WAIT).toBe(`Rolled back: version ${first + 2} now runs the document of version ${first}.`);
    await expect.poll(() => version(first + 2).locator('[data-testid="version-comment"]').textContent(), UI_WAIT).toBe(`rollback to version ${first}`);
    expect(await version(first + 2).locator('[data-testid="version-author"]').textContent()).toBe('admin');
    expect(await page.locator('[data-testid="version-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-version'))))).toEqual(
      Array.from({ length: first + 2 }, (_, i) => first + 2 - i),
    );
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-versions.png`, fullPage: true });
    expect((await running()).policy.thresholds.tag).toBe(5);
    await nodeRuns(first + 2);
  });

  it('fits a 390 px wide screen and a 2560 px one', async () => {
    await page.goto(`${cluster.csmUrl}/policy`);
    await expect.poll(() => byTestId('running-version').textContent(), UI_WAIT).toBe(String(first + 2));
    for (const width of [390, 2560]) {
      await page.setViewportSize({ width, height: 900 });
      for (const tab of ['thresholds', 'domains', 'auth', 'rates', 'dnsLists', 'raw']) {
        await byTestId(`tab-${tab}`).click();
        await expect.poll(() => byTestId(`tab-${tab}`).getAttribute('aria-selected')).toBe('true');
        expect(await page.locator('html').evaluate((html) => html.scrollWidth), `${tab} at ${width} px`).toBeLessThanOrEqual(width);
      }
      await byTestId('tab-thresholds').click();
    }
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-390.png`, fullPage: true });
    await byTestId('policy-versions-link').click();
    await expect.poll(() => page.locator('[data-testid="version-row"]').count(), UI_WAIT).toBe(first + 2);
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('adds a domain with its downstream in the form, publishes it, and warns before the form removes it again', async () => {
    await page.goto(`${cluster.csmUrl}/policy`);
    await expect.poll(() => byTestId('running-version').textContent(), UI_WAIT).toBe(String(first + 2));
    await byTestId('tab-domains').click();
    const rows = byTestId('rules-domains').locator('[data-testid="rule-row"]');
    await expect.poll(() => rows.count(), UI_WAIT).toBe(1);
    await byTestId('rule-add').click();
    await expect.poll(() => rows.count(), UI_WAIT).toBe(2);
    // The empty row's name and host are named as problems until they are filled in.
    await expect.poll(() => byTestId('tab-domains').locator('.count').textContent(), UI_WAIT).toBe('2');
    await page.locator('#pf-domains-1-name').fill('added.example.test');
    await page.locator('#pf-domains-1-downstream-host').fill('127.0.0.1');
    await page.locator('#pf-domains-1-downstream-port').fill('2599');
    await page.locator('#pf-domains-1-downstream-tls').selectOption('none');
    await expect.poll(() => byTestId('draft-state').textContent(), UI_WAIT).toContain('1 change against the running version.');
    await byTestId('policy-review').click();
    const row = page.locator('[data-testid="diff-row"][data-path="domains[added.example.test]"]');
    await expect.poll(() => row.count(), UI_WAIT).toBe(1);
    expect(await row.locator('[data-testid="diff-new"]').textContent()).toContain('"host":"127.0.0.1"');
    expect(await byTestId('policy-warnings').count()).toBe(0);
    await byTestId('policy-comment').fill('add a domain');
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-domains.png`, fullPage: true });
    await byTestId('policy-publish').click();
    await expect.poll(() => byTestId('policy-published').textContent(), UI_WAIT).toContain(`Published version ${first + 3}.`);
    const published = (await running()) as unknown as { policy: { domains: { name: string; downstream: { host: string; port: number; tls: string } }[] } };
    expect(published.policy.domains.find((d) => d.name === 'added.example.test')?.downstream).toMatchObject({ host: '127.0.0.1', port: 2599, tls: 'none' });
    await nodeRuns(first + 3);

    // Removing it in the form stops its mail: the review shows why and Publish waits for the box.
    await page.getByRole('button', { name: 'Remove domain 2' }).click();
    await expect.poll(() => rows.count(), UI_WAIT).toBe(1);
    await byTestId('policy-review').click();
    await expect.poll(() => byTestId('policy-warning').textContent(), UI_WAIT).toBe(
      'domain added.example.test removed: its mail will be refused and its downstream 127.0.0.1:2599 no longer receives any',
    );
    expect(await byTestId('policy-publish').isDisabled()).toBe(true);
    await byTestId('policy-discard').click();
    await expect.poll(() => byTestId('draft-state').textContent(), UI_WAIT).toContain('No changes.');
    expect(await rows.count()).toBe(2);
  });

  it('shows an auditor the policy and its history without a control that changes them', async () => {
    await byTestId('logout').click();
    await page.waitForURL('**/login**');
    await login(AUDITOR.username, AUDITOR.password);
    await byTestId('nav-policy').click();
    await page.waitForURL('**/policy');
    await expect.poll(() => byTestId('policy-read-only').count(), UI_WAIT).toBe(1);
    expect(await page.locator('#pf-thresholds-tag').getAttribute('readonly')).not.toBeNull();
    expect(await byTestId('policy-review').count()).toBe(0);
    await byTestId('tab-rates').click();
    await expect.poll(() => byTestId('rules-smtpChecks.rateLimits').count(), UI_WAIT).toBe(1);
    expect(await byTestId('rule-add').count()).toBe(0);
    await page.screenshot({ path: `${RESULTS_DIR}console-policy-auditor.png`, fullPage: true });
    await byTestId('policy-versions-link').click();
    await expect.poll(() => page.locator('[data-testid="version-row"]').count(), UI_WAIT).toBe(first + 3);
    expect(await byTestId('version-rollback').count()).toBe(0);
    expect(cspViolations).toEqual([]);
  });
});
