import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyInput } from '@moat/policy';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { waitFor } from '../harness/wait.js';
import { TestSandboxServer, type Behaviour, type ReceivedSubmission } from './support/sandbox-server.js';

// Issue 14 (F11): a real node hands each inbound message to an analysis server implementing
// docs/sandbox-interface.md (this process's test server) and acts on the verdict; past the deadline it delivers
// (fail-open) or holds (fail-closed); with the primary down the secondary answers.
const TIMEOUT_MS = 1500;

/** The sample's `X-Test-Verdict` header picks the test server's behaviour: `<level> <delayMs>` or `never`. */
function behaviourOf(sample: ReceivedSubmission): Behaviour {
  const header = /^X-Test-Verdict: ([a-z]+)(?: (\d+))?\r?$/m.exec(sample.content.toString('utf8'));
  if (!header?.[1] || header[1] === 'never') return 'never';
  return { level: header[1], detail: `test verdict ${header[1]}`, delayMs: Number(header[2] ?? 0) };
}

type MailDetail = { action: string; symbols: { name: string; score: number; detail: string }[] };

describe('sandbox hand-off on a cluster', () => {
  const primary = new TestSandboxServer(behaviourOf, 'primary-token');
  const secondary = new TestSandboxServer(behaviourOf);
  const run = Date.now().toString(36);
  let cluster: TestCluster;
  let sandboxPolicy: NonNullable<PolicyInput['sandbox']>;

  beforeAll(async () => {
    await primary.start();
    await secondary.start();
    sandboxPolicy = {
      enabled: true,
      servers: [{ url: primary.url, token: 'primary-token' }, { url: secondary.url }],
      scope: 'message',
      timeoutMs: TIMEOUT_MS,
      pollIntervalMs: 100,
      onTimeout: 'deliver',
      rules: { medium: { action: 'tag', score: 3 } },
    };
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, sandbox: sandboxPolicy }) });
  });
  afterAll(async () => {
    await cluster?.stop();
    await primary.stop();
    await secondary.stop();
  });

  const send = async (name: string, verdict: string) => {
    const subject = `sandbox ${run} ${name}`;
    const raw = `From: someone@remote.test\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${name}.${run}@remote.test>\r\nX-Test-Verdict: ${verdict}\r\n\r\nbody of ${name}\r\n`;
    const startedAt = Date.now();
    const sent = await cluster.sendMail(0, { from: 'someone@remote.test', to: 'alice@example.test', subject, raw });
    return { subject, sent, tookMs: Date.now() - startedAt };
  };
  const detailOf = async (subject: string): Promise<MailDetail> => {
    const row = await waitFor(`the event of "${subject}"`, async () => (await cluster.searchMail(['--subject', subject]))[0]);
    return (await cluster.csmGet(`/api/mail/${row.id}`)) as MailDetail;
  };
  const symbolsOf = (detail: MailDetail) => detail.symbols.filter((s) => s.name.startsWith('SANDBOX_'));

  it('quarantines on a fast "high" verdict, with the server and latency in the symbol', async () => {
    const { subject, sent } = await send('fast-high', 'high');
    expect(sent.accepted).toBe(true);
    const detail = await detailOf(subject);
    expect(detail.action).toBe('quarantine');
    expect(symbolsOf(detail)).toEqual([expect.objectContaining({ name: 'SANDBOX_HIGH', score: 0, detail: expect.stringMatching(new RegExp(`^message\\.eml: test verdict high \\(${primary.url}, \\d+ ms\\)$`)) })]);
    const submission = primary.received.find((r) => r.messageId === `<fast-high.${run}@remote.test>`);
    expect(submission).toMatchObject({ direction: 'inbound', fileName: 'message.eml', fileType: 'message/rfc822', authorization: 'Bearer primary-token' });
    expect(submission?.content.toString('utf8')).toContain(`Subject: ${subject}`);
  });

  it('maps a "medium" verdict to the rule (tag, score 3) and delivers', async () => {
    const { subject, sent } = await send('medium', 'medium 300');
    expect(sent.accepted).toBe(true);
    const detail = await detailOf(subject);
    expect(detail.action).toBe('tag');
    expect(symbolsOf(detail)).toEqual([expect.objectContaining({ name: 'SANDBOX_MEDIUM', score: 3 })]);
    await cluster.waitForMailbox(1, (m) => m.subject === subject);
  });

  it('delivers past the timeout when fail-open, with SANDBOX_TIMEOUT', async () => {
    const { subject, sent, tookMs } = await send('slow-open', 'never');
    expect(sent.accepted).toBe(true);
    expect(tookMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    const detail = await detailOf(subject);
    expect(detail.action).toBe('deliver');
    expect(symbolsOf(detail)).toEqual([expect.objectContaining({ name: 'SANDBOX_TIMEOUT', detail: expect.stringContaining('delivered (fail-open)') })]);
    await cluster.waitForMailbox(1, (m) => m.subject === subject);
  });

  it('keeps other sessions going while one waits for its verdict', async () => {
    const slow = send('stall-slow', 'never');
    await sleep(100);
    const fast = await send('stall-fast', 'clean');
    const waited = await slow;
    expect(fast.sent.accepted).toBe(true);
    expect(fast.tookMs).toBeLessThan(TIMEOUT_MS / 2);
    expect(waited.tookMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(symbolsOf(await detailOf(fast.subject))).toEqual([expect.objectContaining({ name: 'SANDBOX_CLEAN', score: 0 })]);
  });

  it('holds past the timeout when fail-closed', async () => {
    const policy = JSON.parse((await cluster.moat(['policy', 'get'])).stdout) as PolicyInput;
    const put = await cluster.csmFetch('/api/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${await cluster.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ policy: { ...policy, sandbox: { ...sandboxPolicy, onTimeout: 'hold' } }, comment: 'sandbox fail-closed' }),
    });
    expect(put.status).toBe(200);
    const { version } = (await put.json()) as { version: number };
    await waitFor('the node on the fail-closed policy', async () => ((await cluster.status()).nodes[0]?.policyVersion === version ? true : undefined));

    const { subject, sent } = await send('slow-closed', 'never');
    expect(sent.accepted).toBe(true);
    const detail = await detailOf(subject);
    expect(detail.action).toBe('hold');
    expect(symbolsOf(detail)).toEqual([expect.objectContaining({ name: 'SANDBOX_TIMEOUT', detail: expect.stringContaining('held (fail-closed)') })]);
  });

  it('fails over to the secondary when the primary is down', async () => {
    await primary.stop();
    const { subject, sent } = await send('failover', 'high');
    expect(sent.accepted).toBe(true);
    const detail = await detailOf(subject);
    expect(detail.action).toBe('quarantine');
    expect(symbolsOf(detail)).toEqual([
      expect.objectContaining({ name: 'SANDBOX_FAILOVER', detail: `message.eml: ${primary.url} did not answer, next server tried` }),
      expect.objectContaining({ name: 'SANDBOX_HIGH', detail: expect.stringContaining(`(${secondary.url}, `) }),
    ]);
    expect(secondary.received.map((r) => r.messageId)).toContain(`<failover.${run}@remote.test>`);
  });
});
