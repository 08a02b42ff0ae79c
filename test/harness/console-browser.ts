import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestCluster } from './cluster.js';

export const CONSOLE_INDEX = fileURLToPath(new URL('../../apps/console/dist/browser/index.html', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface ConsoleBrowser {
  browser: Browser;
  page: Page;
  /** Content Security Policy violations the page reported on its console. */
  cspViolations: string[];
}

/**
 * Headless Chromium (Debian's) on a page of WIDTH x 900 that accepts the CSM's self-signed certificate, with
 * test-results/ ready for screenshots; fails when the console is not built.
 */
export async function openConsoleBrowser(width = 1440): Promise<ConsoleBrowser> {
  if (!existsSync(CONSOLE_INDEX)) throw new Error(`${CONSOLE_INDEX} is missing: build the console (npm run build)`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width, height: 900 }, ignoreHTTPSErrors: true, acceptDownloads: true });
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { browser, page, cspViolations };
}

/** Opens PATH of the console, signs in as the bootstrap administrator and waits until PATH is shown. */
export async function signInAt(page: Page, cluster: TestCluster, path: string): Promise<void> {
  await page.goto(`${cluster.csmUrl}${path}`);
  await page.waitForURL('**/login?**');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(cluster.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${path}`);
}
