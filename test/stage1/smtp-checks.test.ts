import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailDetailSchema, type MailRow } from '@moat/cli/api';
import type { PolicyInput } from '@moat/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, type RunningKnot } from '../auth/support/knot.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';
import { letter, xclientTransaction as transaction } from './support/xclient-transaction.js';

// bank.test publishes SPF for 198.51.100.20 only and DMARC p=reject; its mail server has forward-confirmed
// reverse DNS. Clients are presented through XCLIENT (see xclientTransaction).
const BANK_MX = '198.51.100.20';
const SPOOFER = '203.0.113.66';
const ZONE = [
  { name: 'bank.test', type: 'TXT', data: '"v=spf1 ip4:198.51.100.20 -all"' },
  { name: '_dmarc.bank.test', type: 'TXT', data: '"v=DMARC1; p=reject"' },
  { name: 'mail.bank.test', type: 'A', data: BANK_MX },
  { name: '20.100.51.198.in-addr.arpa', type: 'PTR', data: 'mail.bank.test.' },
];
const AUTHSERV_ID = 'mx.moat.test';

describe('stage 1 end to end: two nodes, fleet state in JetStream KV, knotd DNS', () => {
  let knot: RunningKnot;
  let cluster: TestCluster;
  let policyFile: string;
  let workDir: string;

  const stage1 = (demo: PolicyInput): PolicyInput => ({
    ...demo,
    domains: [...(demo.domains ?? []), { name: 'grey.test', downstream: demo.domains![0]!.downstream, smtpChecks: { greylist: { enabled: true } } }],
    dns: { servers: [knot.server], timeoutMs: 1000, tries: 1 },
    smtpChecks: {
      greylist: { delaySeconds: 2 },
      rateLimits: [{ name: 'PER_SENDER', key: 'sender', limit: 3, windowSeconds: 600, action: 'tempfail' }],
      auth: { authservId: AUTHSERV_ID },
    },
  });

  beforeAll(async () => {
    knot = await startKnot({ records: ZONE });
    workDir = await mkdtemp(join(tmpdir(), 'moat-stage1-'));
    cluster = await startCluster({ nodes: 2, policy: stage1 });
    policyFile = join(workDir, 'policy.json');
    await writeFile(policyFile, JSON.stringify((await cluster.moatJson(['policy', 'get'])) as object));
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await knot?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const [node0, node1] = [0, 1].map((i) => () => cluster.ports.smtp[i]!);

  /** The stored event of the transaction from SENDER with SUBJECT (or the only one from SENDER), with its symbols. */
  async function storedEvent(sender: string, match: (row: MailRow) => boolean = () => true) {
    const row = await waitFor(`the event of ${sender} in ClickHouse`, async () => (await cluster.searchMail(['--sender', sender])).find(match));
    return mailDetailSchema.parse(await cluster.moatJson(['mail', 'show', row.id]));
  }

  async function scan(args: string[], files: string[]): Promise<{ action: string; symbols: { name: string }[] }[]> {
    const result = await cluster.moat(['scan', '--json', '--policy', policyFile, '--dns', knot.server, ...args, ...files]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { action: string; symbols: { name: string }[] });
  }

  it('greylists a first attempt on one node and accepts the retry on the other', async () => {
    const first = await transaction(node0(), '198.51.100.30', 'news@list.test', 'alice@grey.test', letter('news@list.test', 'greylisted'));
    expect(first.rcpt).toMatchObject({ code: 451 });
    expect(first.rcpt?.text).toContain('greylisted');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Another address of the same /24, on the other node: the triplet is fleet-wide.
    const retry = await transaction(node1(), '198.51.100.31', 'news@list.test', 'alice@grey.test', letter('news@list.test', 'greylisted'));
    expect(retry.data?.code).toBe(250);

    const deferred = await storedEvent('news@list.test', (row) => row.action === 'tempfail');
    expect(deferred.symbols.map((s) => s.name)).toContain('GREYLIST_DEFER');
    const passed = await storedEvent('news@list.test', (row) => row.action === 'deliver');
    expect(passed.symbols.map((s) => s.name)).toContain('GREYLIST_PASS');
    expect(passed.nodeId).not.toBe(deferred.nodeId);

    const eml = join(workDir, 'greylisted.eml');
    await writeFile(eml, letter('news@list.test', 'greylisted'));
    const [scanned] = await scan(['--client-ip', '198.51.100.30', '--mail-from', 'news@list.test', '--rcpt', 'alice@grey.test'], [eml]);
    expect(scanned).toMatchObject({ action: 'tempfail' });
    expect(scanned!.symbols.map((s) => s.name)).toContain('GREYLIST_DEFER');
  });

  it('enforces a sender rate limit across both nodes', async () => {
    const sent = [];
    for (const [i, port] of [node0(), node1(), node0(), node1()].entries()) {
      sent.push(await transaction(port, `198.51.100.${40 + i}`, 'bulk@promo.test', 'alice@example.test', letter('bulk@promo.test', `rate ${i}`)));
    }
    expect(sent.slice(0, 3).map((d) => d.data?.code)).toEqual([250, 250, 250]);
    expect(sent[3]!.mail).toMatchObject({ code: 450 });
    const limited = await storedEvent('bulk@promo.test', (row) => row.action === 'tempfail');
    expect(limited.symbols).toContainEqual(expect.objectContaining({ name: 'RATE_PER_SENDER' }));

    const files = await Promise.all([0, 1, 2, 3].map(async (i) => {
      const file = join(workDir, `rate-${i}.eml`);
      await writeFile(file, letter('bulk@promo.test', `rate ${i}`));
      return file;
    }));
    const scanned = await scan(['--client-ip', '198.51.100.40', '--mail-from', 'bulk@promo.test', '--rcpt', 'alice@example.test'], files);
    expect(scanned.map((r) => r.action)).toEqual(['deliver', 'deliver', 'deliver', 'tempfail']);
    expect(scanned[3]!.symbols.map((s) => s.name)).toContain('RATE_PER_SENDER');
  });

  it('rejects unknown recipients at RCPT, and accepts accounts imported with moat accounts import', async () => {
    const csv = join(workDir, 'accounts.csv');
    await writeFile(csv, 'email,name\ncarol@example.test,Carol\n');
    const imported = (await cluster.moatJson(['accounts', 'import', csv])) as { version: number };
    await waitFor('both nodes on the accounts policy', async () => ((await cluster.status()).nodes.every((n) => n.policyVersion >= imported.version) ? true : undefined));

    const unknown = await transaction(node1(), '198.51.100.50', 'someone@outside.test', 'dave@example.test', letter('someone@outside.test', 'unknown'));
    expect(unknown.rcpt).toMatchObject({ code: 550 });
    expect(unknown.rcpt?.text).toContain('5.1.1');
    const known = await transaction(node0(), '198.51.100.51', 'friend@outside.test', 'carol@example.test', letter('friend@outside.test', 'known'));
    expect(known.data?.code).toBe(250);
    const refused = await storedEvent('someone@outside.test');
    expect(refused.action).toBe('reject');
    expect(refused.symbols.map((s) => s.name)).toContain('RCPT_UNKNOWN');

    const eml = join(workDir, 'unknown.eml');
    await writeFile(eml, letter('someone@outside.test', 'unknown'));
    const [scanned] = await scan(['--client-ip', '198.51.100.50', '--mail-from', 'someone@outside.test', '--rcpt', 'nobody@example.test'], [eml]);
    expect(scanned!.action).toBe('reject');
    expect(scanned!.symbols.map((s) => s.name)).toContain('RCPT_UNKNOWN');
  });

  it('rejects a DMARC p=reject spoof from an unaligned IP and delivers the same domain from its SPF-authorised IP', async () => {
    const spoof = await transaction(node0(), SPOOFER, 'ceo@bank.test', 'alice@example.test', letter('CEO <ceo@bank.test>', 'wire transfer'));
    expect(spoof.data).toMatchObject({ code: 550 });
    const forged = `Authentication-Results: ${AUTHSERV_ID}; dmarc=pass header.from=bank.test\n`;
    const genuine = await transaction(node1(), BANK_MX, 'ceo@bank.test', 'alice@example.test', letter('CEO <ceo@bank.test>', 'quarterly report', forged));
    expect(genuine.data?.code).toBe(250);

    const rejected = await storedEvent('ceo@bank.test', (row) => row.subject === 'wire transfer');
    expect(rejected.action).toBe('reject');
    expect(rejected.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['SPF_FAIL', 'DMARC_REJECT', 'AUTH_POLICY', 'RDNS_NONE']));
    const delivered = await storedEvent('ceo@bank.test', (row) => row.subject === 'quarterly report');
    expect(delivered.action).toBe('deliver');
    expect(delivered.symbols.map((s) => s.name)).toEqual(expect.arrayContaining(['SPF_PASS', 'DMARC_PASS', 'RDNS_OK']));

    const [stored] = await cluster.waitForMailbox(1, (m) => m.subject === 'quarterly report');
    const results = stored!.raw.split(/\r?\n(?![ \t])/).filter((line) => /^Authentication-Results:/i.test(line));
    expect(results).toHaveLength(1);
    expect(results[0]).toMatch(new RegExp(`^Authentication-Results: ${AUTHSERV_ID.replace(/\./g, '\\.')};[\\s\\S]*spf=pass smtp.mailfrom=bank.test[\\s\\S]*dmarc=pass header.from=bank.test`));

    const eml = join(workDir, 'spoof.eml');
    await writeFile(eml, letter('CEO <ceo@bank.test>', 'wire transfer'));
    const [spoofScan] = await scan(['--client-ip', SPOOFER, '--mail-from', 'ceo@bank.test', '--rcpt', 'alice@example.test'], [eml]);
    expect(spoofScan!.action).toBe('reject');
    expect(spoofScan!.symbols.map((s) => s.name)).toContain('DMARC_REJECT');
    const [genuineScan] = await scan(['--client-ip', BANK_MX, '--mail-from', 'ceo@bank.test', '--rcpt', 'alice@example.test'], [eml]);
    expect(genuineScan!.action).toBe('deliver');
    expect(genuineScan!.symbols.map((s) => s.name)).toContain('DMARC_PASS');
  });
});
