// Issue 13 (F12): the CSM checks what DNS publishes for a sending domain — each DKIM key's TXT record, SPF and
// DMARC — through its own resolver (MOAT_CSM_DNS), here a real knotd serving a matching DKIM record and an SPF
// record but no DMARC: ok, ok, missing. Then the console's DKIM page in Chromium generates a second key, shows its
// TXT record (copied to the clipboard) and the DNS check: the new key is not published yet.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, zoneTxt, type RunningKnot } from '../auth/support/knot.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { openConsoleBrowser, RESULTS_DIR, signInAt, type ConsoleBrowser } from '../harness/console-browser.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';

const UI_WAIT = { timeout: 20_000 };
const SPF = 'v=spf1 ip4:127.0.0.1 -all';

interface DkimKey {
  selector: string;
  dnsName: string;
  dnsValue: string;
  dnsStrings: string[];
}

interface DnsRecordCheck {
  kind: string;
  name: string;
  expected: string;
  found: string[];
  status: string;
  message: string;
}

describe('DNS check of a sending domain (DKIM, SPF, DMARC) and the console DKIM page', () => {
  let cluster: TestCluster;
  let knot: RunningKnot;
  let console_: ConsoleBrowser;
  let page: Page;
  let key: DkimKey;

  beforeAll(async () => {
    // The CSM reads its DNS servers at start: knot takes the port reserved for it once the key exists.
    const dnsPort = defined((await freePorts(1))[0], 'a port for knotd');
    cluster = await startCluster({ nodes: 1, env: { MOAT_CSM_DNS: `127.0.0.1:${dnsPort}` } });
    const generated = (await cluster.moatJson(['dkim', 'generate', 'example.test', '--selector', 's1', '--algorithm', 'rsa'])) as { keys: DkimKey[] };
    key = defined(generated.keys.find((k) => k.selector === 's1'), 'the s1 key');
    knot = await startKnot({
      port: dnsPort,
      records: [
        { name: key.dnsName, type: 'TXT', data: zoneTxt(key.dnsStrings) },
        { name: 'example.test', type: 'TXT', data: zoneTxt([SPF]) },
      ],
    });
    console_ = await openConsoleBrowser();
    page = console_.page;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cluster.csmUrl });
  });

  afterAll(async () => {
    await console_?.browser.close();
    await knot?.stop();
    await cluster?.stop();
  });

  it('GET /api/dkim/:domain/dns-check: the published DKIM key ok, SPF ok, no DMARC missing with the record to publish', async () => {
    const check = (await cluster.csmGet('/api/dkim/example.test/dns-check')) as { domain: string; records: DnsRecordCheck[] };
    expect(check.domain).toBe('example.test');
    expect(check.records.map((r) => [r.kind, r.name, r.status])).toEqual([
      ['dkim', 's1._domainkey.example.test', 'ok'],
      ['spf', 'example.test', 'ok'],
      ['dmarc', '_dmarc.example.test', 'missing'],
    ]);
    expect(check.records[0]?.found).toEqual([key.dnsValue]);
    expect(check.records[1]?.found).toEqual([SPF]);
    expect(check.records[2]?.expected).toBe('v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.test');
    expect(check.records[2]?.message).toContain('publishes no DMARC record');
    const unknown = await cluster.csmFetch('/api/dkim/other.test/dns-check', { headers: { authorization: `Bearer ${await cluster.token()}` } });
    expect(unknown.status).toBe(404);
  });

  it('the console DKIM page generates a key, shows and copies its TXT record, and shows the DNS check', async () => {
    await signInAt(page, cluster, '/dkim');
    const byTestId = (id: string) => page.locator(`[data-testid="${id}"]`);
    await expect.poll(() => byTestId('dkim-key').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-selector'))), UI_WAIT).toEqual(['s1']);
    await page.getByLabel('Domain', { exact: true }).fill('example.test');
    await page.getByLabel('Selector (optional)').fill('ed2');
    await page.getByLabel('Algorithm', { exact: true }).selectOption('ed25519');
    await byTestId('dkim-generate').click();
    const ed2 = page.locator('[data-testid="dkim-key"][data-selector="ed2"]');
    await expect.poll(() => ed2.locator('[data-testid="dkim-record"]').textContent(), UI_WAIT).toMatch(/^ed2\._domainkey\.example\.test\. IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$/);
    await expect.poll(() => ed2.locator('[data-testid="dkim-key-active"]').textContent(), UI_WAIT).toBe('Active');
    await ed2.locator('[data-testid="dkim-copy"]').click();
    await expect.poll(() => ed2.locator('[data-testid="dkim-copy"]').textContent(), UI_WAIT).toContain('Copied');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toMatch(/^v=DKIM1; k=ed25519; p=/);
    await byTestId('dkim-check').click();
    const checks = () => byTestId('dns-check').evaluateAll((items) => items.map((i) => `${i.getAttribute('data-kind')} ${i.getAttribute('data-name')} ${i.getAttribute('data-status')}`));
    await expect.poll(checks, UI_WAIT).toEqual(['dkim s1._domainkey.example.test ok', 'dkim ed2._domainkey.example.test missing', 'spf example.test ok', 'dmarc _dmarc.example.test missing']);
    expect(await page.locator('[data-testid="dns-check"][data-kind="dmarc"]').textContent()).toContain('v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.test');
    await page.screenshot({ path: `${RESULTS_DIR}dkim.png`, fullPage: true });
    expect(console_.cspViolations).toEqual([]);
  });
});
