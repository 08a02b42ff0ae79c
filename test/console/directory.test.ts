// Issue 12: the console's Directory page in headless Chromium against a real cluster and a real slapd. The form
// stores the settings (the bind password is never shown again), Dry run lists what a sync would add and changes
// no policy, Sync now writes the accounts and the group mapped to a role, and the last sync is shown.
import { expect, afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, RESULTS_DIR, signInAt } from '../harness/console-browser.js';
import { BASE_DN, baseLdif, groupLdif, personLdif, ROOT_DN, ROOT_PASSWORD, startSlapd, type Slapd } from '../directory/slapd.js';

const UI_WAIT = { timeout: 20_000 };

interface PolicyView {
  version: number;
  policy: { domains: { name: string; accounts: string[] }[]; groups: { name: string; members: string[] }[] };
}

describe('console directory page', () => {
  let cluster: TestCluster;
  let slapd: Slapd;
  let browser: Browser;
  let page: Page;
  let cspViolations: string[];
  const byTestId = (testId: string) => page.locator(`[data-testid="${testId}"]`);

  beforeAll(async () => {
    slapd = await startSlapd([baseLdif(), personLdif('dora', 'Dora Example', 'dora-directory-passphrase', ['dora@example.test', 'd.example@example.test']), groupLdif('moat-auditors', ['dora'])].join('\n'));
    cluster = await startCluster({ nodes: 1 });
    ({ browser, page, cspViolations } = await openConsoleBrowser());
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    await slapd?.stop();
  });

  it('saves the settings, shows a dry run, syncs, and shows the last sync', async () => {
    await signInAt(page, cluster, '/directory');
    await byTestId('directory-url').fill(slapd.url);
    await byTestId('directory-bind-dn').fill(ROOT_DN);
    await byTestId('directory-bind-password').fill(ROOT_PASSWORD);
    await byTestId('directory-base-dn').fill(BASE_DN);
    await byTestId('directory-group-roles').fill('moat-auditors: auditor');
    await byTestId('directory-save').click();
    await expect.poll(() => byTestId('directory-notice').textContent(), UI_WAIT).toContain('Settings saved');
    expect(await byTestId('directory-bind-password').inputValue()).toBe('');
    expect(await byTestId('directory-bind-password').getAttribute('placeholder')).toContain('stored');

    const before = (await cluster.csmGet('/api/policy')) as PolicyView;
    await byTestId('directory-dry-run').click();
    await expect.poll(() => byTestId('directory-notice').textContent(), UI_WAIT).toContain('Dry run: nothing was changed');
    const rows = await byTestId('directory-change-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())));
    expect(rows).toEqual([
      ['account', 'dora@example.test', 'add (aliases d.example@example.test)'],
      ['group', 'moat-auditors', 'add (1 members)'],
      ['administrator', 'dora', 'grant auditor'],
    ]);
    await page.screenshot({ path: `${RESULTS_DIR}/console-directory.png`, fullPage: true });
    expect(((await cluster.csmGet('/api/policy')) as PolicyView).version).toBe(before.version);

    await byTestId('directory-sync').click();
    await expect.poll(() => byTestId('directory-notice').textContent(), UI_WAIT).toMatch(/Synced, policy version \d+/);
    await expect.poll(() => byTestId('directory-last-summary').textContent(), UI_WAIT).toMatch(/by admin:\s+1 added, 0 changed, 0 removed, 1 role changes/);
    const after = (await cluster.csmGet('/api/policy')) as PolicyView;
    expect(after.policy.domains[0]?.accounts).toEqual(expect.arrayContaining(['dora', 'd.example']));
    expect(after.policy.groups).toContainEqual({ name: 'moat-auditors', members: ['dora@example.test'] });
    expect(await page.content()).not.toContain(ROOT_PASSWORD);
    expect(cspViolations).toEqual([]);
  });
});
