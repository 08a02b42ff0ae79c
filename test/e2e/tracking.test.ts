import ExcelJS from 'exceljs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

interface MailRow {
  id: string;
  subject: string;
  nodeName: string;
  deliveryStatus: string;
  released: boolean;
}

// Issue 16 at the API level on a real cluster (NATS, the CSM with chdb, a scan node, clamd, the demo mailbox):
// mail arrives over SMTP and is quarantined; an OR search finds it, one message is released and delivered,
// two are deleted from the quarantine in bulk, the result set exports as CSV and XLSX; a threshold edit is
// diffed, published and rolled back; the audit log holds the release.
describe('mail tracking and policy history on a cluster', () => {
  let cluster: TestCluster;
  const run = Date.now().toString(36);
  const subject = (n: number) => `track ${run} ${n}`;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${await cluster.token()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await cluster.csmFetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: (type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer())) as T };
  };
  const nodeOn = (version: number) =>
    waitFor('the node on the new policy', async () => {
      const status = await cluster.status();
      return status.nodes.every((n) => n.up && n.policyVersion === version) && status.nodes.length === 1 ? status : undefined;
    });
  const setPolicy = async (policy: object, extra: string[] = []) => {
    const file = join(cluster.varDir, `policy-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(policy));
    return cluster.moat(['policy', 'set', file, ...extra]);
  };

  it('finds quarantined mail with an OR condition, releases one, deletes two in bulk and exports the rest', async () => {
    const original = JSON.parse((await cluster.moat(['policy', 'get'])).stdout) as Record<string, unknown>;
    expect((await setPolicy({ ...original, thresholds: { tag: 0, quarantine: 0, reject: 100 } })).code).toBe(0);
    await nodeOn((await cluster.status()).policyVersion);
    for (let n = 0; n < 4; n++) {
      const sent = await cluster.sendMail(0, { from: n === 3 ? `carol-${run}@remote.test` : 'someone@remote.test', to: 'bob@example.test', subject: subject(n) });
      expect(sent.accepted).toBe(true);
    }
    await waitFor('4 quarantined messages', async () => ((await cluster.searchMail(['--subject', `track ${run}`, '--verdict', 'quarantine'])).length === 4 ? true : undefined));

    const found = await api<{ messages: MailRow[] }>('POST', '/api/mail/search', { where: { or: [{ field: 'subject', value: subject(1) }, { field: 'sender', value: `carol-${run}@` }] } });
    expect(found.body.messages.map((m) => m.subject).sort()).toEqual([subject(1), subject(3)]);
    expect(found.body.messages.every((m) => m.nodeName === 'node-1')).toBe(true);
    const ids = new Map((await cluster.searchMail(['--subject', `track ${run}`])).map((m) => [m.subject, m.id]));

    const released = await api<{ ok: number; results: { ok: boolean; detail: string }[] }>('POST', '/api/mail/actions', { action: 'release', ids: [ids.get(subject(1))] });
    expect(released.body).toMatchObject({ ok: 1 });
    expect((await cluster.waitForMailbox(1, (m) => m.subject === subject(1))).map((m) => m.deliveredTo)).toEqual([['bob@example.test']]);

    const deleted = await api<{ ok: number; failed: number }>('POST', '/api/mail/actions', { action: 'delete', ids: [ids.get(subject(2)), ids.get(subject(3))] });
    expect(deleted.body).toMatchObject({ ok: 2, failed: 0 });
    const refused = await api<{ results: { ok: boolean; detail: string }[] }>('POST', '/api/mail/actions', { action: 'release', ids: [ids.get(subject(2))] });
    expect(refused.body.results[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/deleted from the quarantine/) });

    // The released message goes on to `delivered` once the node has delivered it; it stays marked released.
    const states = await waitFor('delivered-after-release and deleted states', async () => {
      const rows = await cluster.searchMail(['--subject', `track ${run}`]);
      const byStatus = Object.fromEntries(rows.map((m) => [m.subject, `${m.deliveryStatus}${m.released ? ' (released)' : ''}`]));
      return byStatus[subject(1)] === 'delivered (released)' && byStatus[subject(2)] === 'deleted' ? byStatus : undefined;
    });
    expect(states).toMatchObject({ [subject(0)]: 'quarantined', [subject(3)]: 'deleted' });

    const csv = await api<Buffer>('GET', `/api/mail/export?format=csv&subject=${encodeURIComponent(`track ${run}`)}`);
    const lines = csv.body.toString('utf8').trim().split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.includes(subject(1)))).toMatch(/,node-1,.*,delivered,true,[^,]+$/);
    const out = join(cluster.varDir, 'export.xlsx');
    expect((await cluster.moat(['mail', 'export', out, '--subject', `track ${run}`])).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(await readFile(out)).buffer);
    const sheet = workbook.getWorksheet('mail');
    expect(sheet?.rowCount).toBe(5);
    expect(sheet?.getColumn(8).values.slice(2).sort()).toEqual([0, 1, 2, 3].map(subject));

    expect((await setPolicy(original)).code).toBe(0);
  });

  it('edits a threshold, shows the diff, publishes, rolls back, and keeps mail-stopping changes behind --confirm', async () => {
    const before = (await cluster.status()).policyVersion;
    const policy = JSON.parse((await cluster.moat(['policy', 'get'])).stdout) as { thresholds: { tag: number; quarantine: number; reject: number }; domains: unknown[]; outbound: { accounts: unknown[] } };
    // Without domains, the senders (which must be at a tenant domain) go too.
    const noDomains = { ...policy, domains: [], outbound: { ...policy.outbound, accounts: [] } };
    const reject = policy.thresholds.reject;
    const stricter = { ...policy, thresholds: { ...policy.thresholds, reject: reject - 2 } };
    const check = await api<{ warnings: string[]; changes: { path: string }[] }>('POST', '/api/policy/check', { policy: stricter });
    expect(check.body).toEqual({ version: before, warnings: [], changes: [expect.objectContaining({ path: 'thresholds.reject', op: 'change' })] });
    expect((await setPolicy(stricter)).code).toBe(0);
    const diff = await cluster.moat(['policy', 'diff']);
    expect(diff.stdout).toBe(`policy version ${before} -> ${before + 1}\n~ thresholds.reject: ${reject} -> ${reject - 2}\n`);

    const rollback = await cluster.moat(['policy', 'rollback', String(before)]);
    expect(rollback.stderr).toBe('');
    expect(rollback.stdout).toBe(`policy version ${before + 2} (the document of version ${before})\n`);
    await nodeOn(before + 2);
    const afterRollback = await api<{ changes: unknown[] }>('GET', `/api/policy/diff?from=${before}&to=${before + 2}`);
    expect(afterRollback.body.changes).toEqual([]);

    const emptied = await setPolicy(noDomains);
    expect(emptied.code).toBe(1);
    expect(emptied.stderr).toContain('(HTTP 409)');
    expect(emptied.stderr).toContain('no domains left');
    expect((await cluster.status()).policyVersion).toBe(before + 2);
    const put = await api<{ error: string; problems: string[] }>('PUT', '/api/policy', { policy: noDomains });
    expect(put.status).toBe(409);
    expect(put.body.problems).toEqual(['no domains left: every message will be refused (relaying denied)']);
  });

  it('finds the release and the policy changes in the audit log, with an intact chain', async () => {
    const audit = await cluster.moat(['audit', '--action', 'mail.release']);
    expect(audit.stdout).toMatch(/mail\.release\s+yes/);
    const policyChanges = JSON.parse((await cluster.moat(['audit', '--action', 'policy', '--json'])).stdout) as { entries: { detail: string }[] };
    expect(policyChanges.entries.map((e) => e.detail)).toContain(`rollback to version ${(await cluster.status()).policyVersion - 2}`);
    const verify = await cluster.moat(['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^audit chain intact/);
  });
});
