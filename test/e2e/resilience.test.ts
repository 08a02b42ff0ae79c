import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import type { SendResult } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';

// Issue 2: a node keeps working with its last policy when the CSM is down, no mail is refused while NATS is
// down and every event reaches ClickHouse exactly once afterwards, and a message answered 250 survives SIGKILL.
describe('resilience of the cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('restarts a node while the CSM is down: it runs its last policy and keeps relaying', async () => {
    const edit = z.object({ version: z.number() }).parse(await cluster.moatJson(['list', 'add', 'sender-block', 'spammer@blocked.test']));
    await waitFor(`node-1 on policy version ${edit.version}`, async () => {
      const status = await cluster.status();
      return status.nodes.find((n) => n.name === 'node-1')?.policyVersion === edit.version ? status : undefined;
    }, { timeoutMs: 20_000 });

    await cluster.stopCsm();
    await cluster.stopNode(0);
    await cluster.startNode(0);

    const relayed = await cluster.sendMail(0, { from: 'friend@remote.test', to: 'alice@example.test', subject: 'while the CSM is down' });
    expect(relayed.accepted).toBe(true);
    await cluster.waitForMailbox(1, (m) => m.subject === 'while the CSM is down');
    const blocked = await cluster.sendMail(0, { from: 'spammer@blocked.test', to: 'alice@example.test', subject: 'blocked by the last policy' });
    expect(blocked.accepted).toBe(false);
    expect(blocked.code).toBeGreaterThanOrEqual(500);

    await cluster.startCsm();
    await waitFor('node-1 back in the CSM status', async () => {
      const status = await cluster.status();
      return status.nodes.find((n) => n.name === 'node-1')?.up ? status : undefined;
    }, { timeoutMs: 30_000 });
  });

  it('refuses nothing while NATS is down, and every event reaches ClickHouse once NATS is back', async () => {
    const total = 60;
    const results: SendResult[] = [];
    const sending = (async () => {
      for (let i = 0; i < total; i++) {
        results.push(await cluster.sendMail(i % 2, { from: `flow${i}@remote.test`, to: 'bob@example.test', subject: `nats outage #${i}` }));
        await sleep(50);
      }
    })();
    await waitFor('mail to be flowing', async () => (results.length >= 10 ? true : undefined));
    await cluster.stopNats();
    await waitFor('more mail while NATS is down', async () => (results.length >= 40 ? true : undefined), { timeoutMs: 60_000 });
    await cluster.startNats();
    await sending;

    expect(results.filter((r) => !r.accepted)).toEqual([]);
    await cluster.waitForMailbox(total, (m) => m.subject.startsWith('nats outage #'));
    const rows = await waitFor(`${total} outage rows in ClickHouse`, async () => {
      const found = await cluster.searchMail(['--subject', 'nats outage #']);
      return found.length >= total ? found : undefined;
    }, { timeoutMs: 90_000 });
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.subject)).size).toBe(total);
    // Journal replays and consumer redeliveries must not add rows later.
    await sleep(5000);
    expect(await cluster.searchMail(['--subject', 'nats outage #'])).toHaveLength(total);
  });

  it('delivers a message answered 250 after the node was killed with SIGKILL before delivering it', async () => {
    await cluster.stopDownstream();
    const sent = await cluster.sendMail(1, { from: 'survivor@remote.test', to: 'alice@example.test', subject: 'survives SIGKILL' });
    expect(sent.accepted).toBe(true);
    // Let the node try (and fail) to deliver once, so the message is in its spool's retry queue.
    await sleep(1000);
    await cluster.killNode(1);
    await cluster.startDownstream();
    expect((await cluster.mailbox()).filter((m) => m.subject === 'survives SIGKILL')).toEqual([]);
    await cluster.startNode(1);
    const delivered = await cluster.waitForMailbox(1, (m) => m.subject === 'survives SIGKILL', 60_000);
    expect(delivered).toHaveLength(1);
    // Delivered once, not once per attempt.
    await sleep(3000);
    expect((await cluster.mailbox()).filter((m) => m.subject === 'survives SIGKILL')).toHaveLength(1);
  });
});
