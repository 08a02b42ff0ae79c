import type { Page } from 'playwright-core';
import type { TestCluster } from '../harness/cluster.js';

/** Headless Chromium (Debian's) as the console suites and the screenshots run it. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// Built from two halves so that no scanner on the build machine quarantines this source file.
const EICAR = `X5O!P%@AP[4\\PZX54(P^)7CC)7}$${'EICAR-STANDARD-ANTIVIRUS'}-TEST-FILE!$H+H*`;

/** A message from billing@remote.test to alice@example.test carrying the EICAR test file as invoice.txt. */
export function eicarMail(subject: string): string {
  return [
    'From: billing@remote.test',
    'To: alice@example.test',
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'the invoice is attached',
    '--b1',
    'Content-Type: application/octet-stream; name="invoice.txt"',
    'Content-Disposition: attachment; filename="invoice.txt"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(EICAR).toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
}

/** Opens PATH on the cluster's console, signs in as the bootstrap administrator and waits to be back on PATH. */
export async function signIn(page: Page, cluster: TestCluster, path: string): Promise<void> {
  await page.goto(`${cluster.csmUrl}${path}`);
  await page.waitForURL('**/login**');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(cluster.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${path}`);
}
