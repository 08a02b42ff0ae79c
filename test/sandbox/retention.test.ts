import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyInput } from '@moat/policy';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';

// Issue 14 (F24): with retention "all", a delivered message's body is kept in moat_bodies and downloaded from
// mail tracking (API and CLI) as it was sent, plus the node's trace headers; one past its days is gone (404).
describe('content retention on a cluster', () => {
  const run = Date.now().toString(36);
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, retention: { inbound: { bodies: 'all', days: 1 } } }) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const authorised = async (init: RequestInit = {}) => ({ ...init, headers: { authorization: `Bearer ${await cluster.token()}`, ...(init.headers as Record<string, string> | undefined) } });
  const sendAndFind = async (name: string) => {
    const subject = `retention ${run} ${name}`;
    const raw = `From: someone@remote.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${name}.${run}@remote.test>\r\n\r\nthe body of ${name}\r\n.. a dot-stuffed line\r\n`;
    const sent = await cluster.sendMail(0, { from: 'someone@remote.test', to: 'alice@example.test', subject, raw });
    expect(sent.accepted).toBe(true);
    const row = await waitFor(`the event of "${subject}"`, async () => (await cluster.searchMail(['--subject', subject]))[0]);
    return { raw, row };
  };
  const body = async (id: string) => cluster.csmFetch(`/api/mail/${id}/body`, await authorised());

  it('keeps a delivered body: the API and the CLI give back what was sent, audited, and the store size shows it', async () => {
    const { raw, row } = await sendAndFind('kept');
    expect(row.action).toBe('deliver');
    const response = await waitFor('the kept body', async () => {
      const r = await body(row.id);
      return r.status === 200 ? r : undefined;
    });
    expect(response.headers.get('content-type')).toMatch(/^message\/rfc822/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${row.id}.eml"`);
    const downloaded = Buffer.from(await response.arrayBuffer()).toString('utf8');
    expect(downloaded.endsWith(raw)).toBe(true);
    expect(downloaded.slice(0, -raw.length)).toMatch(/^Received: from /);

    const cli = await cluster.moat(['mail', 'body', row.id]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toBe(downloaded);
    const view = (await cluster.csmGet(`/api/mail/${row.id}/body/view`)) as { subject: string; text: string };
    expect(view).toMatchObject({ subject: `retention ${run} kept`, text: expect.stringMatching(/^the body of kept\r?\n\.\. a dot-stuffed line/) });

    const audit = (await cluster.csmGet(`/api/audit?action=mail.body&target=${row.id}`)) as { entries: { admin: string; detail: string }[] };
    expect(audit.entries).toHaveLength(3);
    const status = await waitFor('the body store in the status', async () => {
      const s = (await cluster.csmGet('/api/status')) as { bodyStore: { bytes: number; messages: number } | null };
      return s.bodyStore && s.bodyStore.messages >= 1 ? s.bodyStore : undefined;
    });
    expect(status.bytes).toBeGreaterThanOrEqual(downloaded.length);
  });

  it('answers 404 for a body past its retention, and the CLI says so', async () => {
    const policy = JSON.parse((await cluster.moat(['policy', 'get'])).stdout) as PolicyInput;
    const put = await cluster.csmFetch(
      '/api/policy',
      await authorised({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: { ...policy, retention: { inbound: { bodies: 'all', days: 0.00002 } } }, comment: 'keep bodies 1.7 s' }) }),
    );
    expect(put.status).toBe(200);
    const { version } = (await put.json()) as { version: number };
    await waitFor('the node on the short retention', async () => ((await cluster.status()).nodes[0]?.policyVersion === version ? true : undefined));

    const { row } = await sendAndFind('expired');
    await sleep(Math.max(0, row.receivedAtMs + 2000 - Date.now()));
    const response = await body(row.id);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toMatch(/is not kept/);
    const cli = await cluster.moat(['mail', 'body', row.id]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/404/);
    expect((await body('no-such-message')).status).toBe(404);
    // It was kept (still in moat_bodies until the sweeper runs): the 404 comes from its expiry.
    await waitFor('both bodies in the body store', async () => {
      const s = (await cluster.csmGet('/api/status')) as { bodyStore: { messages: number } | null };
      return s.bodyStore && s.bodyStore.messages >= 2 ? true : undefined;
    });
  });
});
