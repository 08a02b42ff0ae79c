import nodemailer from 'nodemailer';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { waitFor } from '../harness/wait.js';

const ALICE = 'alice@example.test';
const ALICE_PASSWORD = 'lantern-orchid-47-quay';
const PER_IP = 4;
/** The brute-forcing client, alternating between the two nodes. */
const ATTACKER = '127.0.0.88';
/** Blocked by hand. */
const MANUAL = '127.0.0.89';
/** Alice's own network (outbound.trustedNetworks). */
const ALICE_HOME = '127.0.0.61';
/** Blocked and unblocked from the console. */
const FROM_CONSOLE = '127.0.0.90';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const UI_WAIT = { timeout: 20_000 };

interface Block {
  ip: string;
  firstSeenMs: number;
  lastSeenMs: number;
  expiresAtMs: number;
  failures: number;
  blocks: number;
  source: string;
  rule: string;
  country: string;
  active: boolean;
}

// Issue 13 (F6): brute force from one address sent half to each node blocks it on both; the block is visible in
// GET /api/auth-blocks and `moat auth-blocks list`; remove unblocks on both at once; a manual add blocks at once;
// the account's owner from her own network still authenticates.
describe('AUTH brute-force blocks across the fleet', () => {
  let cluster: TestCluster;
  let browser: Browser | undefined;
  const port = (node: number) => defined(cluster.ports.submissions[node], `node ${node}'s implicit-TLS port`);

  /** AUTH LOGIN over implicit TLS from LOCALADDRESS to NODE: the reply code (235 when accepted). */
  const attempt = async (node: number, localAddress: string, password: string) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: port(node), secure: true, localAddress, auth: { user: ALICE, pass: password }, tls: { rejectUnauthorized: false } });
    try {
      await transport.verify();
      return { code: 235, response: 'ok' };
    } catch (err) {
      const failed = err as { responseCode?: number; response?: string };
      return { code: failed.responseCode ?? 0, response: failed.response ?? String(err) };
    } finally {
      transport.close();
    }
  };
  const blocks = async () => ((await cluster.csmGet('/api/auth-blocks')) as { blocks: Block[] }).blocks;

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 2,
      policy: (demo) => ({
        ...demo,
        outbound: {
          accounts: [{ address: ALICE, canSend: true }],
          trustedNetworks: [`${ALICE_HOME}/32`],
          authFailures: { perIp: PER_IP, windowSeconds: 600, blockSeconds: 3600 },
        },
      }),
    });
    const set = await cluster.moat(['accounts', 'passwd', ALICE, '--password-stdin'], 60_000, `${ALICE_PASSWORD}\n`);
    expect(set.code, set.stderr).toBe(0);
    const version = (await cluster.status()).policyVersion;
    await waitFor('both nodes on the policy with the password', async () => {
      const status = await cluster.status();
      return status.nodes.filter((n) => n.up && n.policyVersion === version).length === 2 ? true : undefined;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it(`blocks the address on both nodes after ${PER_IP} wrong passwords sent half to each node, even with the right password (454)`, async () => {
    const before = Date.now();
    for (let i = 0; i < PER_IP; i++) expect((await attempt(i % 2, ATTACKER, `wrong-guess-${i}-zz`)).code).toBe(535);
    for (const node of [0, 1]) {
      const refused = await attempt(node, ATTACKER, ALICE_PASSWORD);
      expect(refused.code).toBe(454);
      expect(refused.response).toContain('too many failed authentications');
    }
    const block = (await blocks()).find((b) => b.ip === ATTACKER);
    expect(block).toMatchObject({ ip: ATTACKER, failures: PER_IP, blocks: 1, source: 'auto', rule: `outbound.authFailures: ${PER_IP} failures in 600 s`, active: true });
    expect(block?.firstSeenMs).toBeGreaterThanOrEqual(before);
    expect(block?.expiresAtMs).toBeGreaterThanOrEqual(before + 3_600_000);
    const listed = await cluster.moat(['auth-blocks', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/IP\s+FIRST SEEN\s+LAST SEEN\s+EXPIRES\s+FAILURES\s+BLOCKS\s+SOURCE\s+RULE\s+COUNTRY/);
    expect(listed.stdout).toContain(ATTACKER);
    expect(listed.stdout).toContain('auto');
  });

  it("never locks the account out for its owner: alice from her own network authenticates on both nodes", async () => {
    for (const node of [0, 1]) expect((await attempt(node, ALICE_HOME, ALICE_PASSWORD)).code).toBe(235);
  });

  it('remove unblocks on both nodes at once (audited)', async () => {
    const removed = await cluster.moat(['auth-blocks', 'remove', ATTACKER]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`${ATTACKER} unblocked on every node`);
    for (const node of [0, 1]) expect((await attempt(node, ATTACKER, ALICE_PASSWORD)).code).toBe(235);
    expect((await blocks()).find((b) => b.ip === ATTACKER)).toMatchObject({ active: false, blocks: 1 });
    const again = await cluster.moat(['auth-blocks', 'remove', ATTACKER]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('is not blocked');
    const audit = (await cluster.csmGet('/api/audit?action=auth-blocks')) as { entries: Array<{ action: string; target: string }> };
    expect(audit.entries.map((e) => `${e.action} ${e.target}`)).toContain(`auth-blocks.remove ${ATTACKER}`);
  });

  it('a manual add blocks at once on both nodes, for the period given', async () => {
    const added = await cluster.moat(['auth-blocks', 'add', MANUAL, '--for', '2h', '--reason', 'seen scanning']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`${MANUAL} blocked on every node until`);
    for (const node of [0, 1]) expect((await attempt(node, MANUAL, ALICE_PASSWORD)).code).toBe(454);
    const block = (await blocks()).find((b) => b.ip === MANUAL);
    expect(block).toMatchObject({ source: 'manual', active: true, blocks: 1 });
    expect(block?.rule).toMatch(/^manual by \S+: seen scanning$/);
    expect(defined(block, 'the manual block').expiresAtMs - Date.now()).toBeGreaterThan(7_000_000);
    const bad = await cluster.csmFetch('/api/auth-blocks', { method: 'POST', headers: { authorization: `Bearer ${await cluster.token()}`, 'content-type': 'application/json' }, body: JSON.stringify({ ip: '999.1.1.1' }) });
    expect(bad.status).toBe(400);
  });

  it('the console page shows the blocks with their columns, blocks an address from its form and unblocks it, on both nodes', async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    await page.goto(`${cluster.csmUrl}/auth-blocks`);
    await page.waitForURL('**/login?**');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(cluster.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/auth-blocks');
    const row = (ip: string) => page.locator(`tr[data-ip="${ip}"]`);
    await expect.poll(() => row(MANUAL).locator('[data-testid="auth-block-source"]').textContent(), UI_WAIT).toBe('manual');
    expect(await row(MANUAL).locator('[data-testid="auth-block-rule"]').textContent()).toContain('seen scanning');
    expect(await row(ATTACKER).locator('[data-testid="auth-block-expiry"]').textContent()).toContain('(ended)');
    expect(await row(ATTACKER).locator('[data-testid="auth-block-failures"]').textContent()).toBe(String(PER_IP));

    await page.getByTestId('auth-block-ip').fill(FROM_CONSOLE);
    await page.getByTestId('auth-block-period').selectOption({ label: '1 hour' });
    await page.getByTestId('auth-block-reason').fill('from the console');
    await page.getByTestId('auth-block-add').click();
    await expect.poll(() => page.getByTestId('auth-blocks-result').textContent(), UI_WAIT).toBe(`${FROM_CONSOLE} blocked on every node`);
    for (const node of [0, 1]) expect((await attempt(node, FROM_CONSOLE, ALICE_PASSWORD)).code).toBe(454);
    await expect.poll(() => row(FROM_CONSOLE).locator('[data-testid="auth-block-rule"]').textContent(), UI_WAIT).toContain('from the console');

    await row(FROM_CONSOLE).getByRole('button', { name: 'Unblock' }).click();
    await expect.poll(() => page.getByTestId('auth-blocks-result').textContent(), UI_WAIT).toBe(`${FROM_CONSOLE} unblocked on every node`);
    for (const node of [0, 1]) expect((await attempt(node, FROM_CONSOLE, ALICE_PASSWORD)).code).toBe(235);
  });
});
