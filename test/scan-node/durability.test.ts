import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMail, type SendResult } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { startNodeRig, stopNodeRig, testPolicy, type Downstream, type Nats, type ScanNode } from './support/scan-node.js';

const queuedId = (result: SendResult) => /queued as ([0-9A-Z]{26})/.exec(result.response)?.[1];

// Issue 2: a message answered 250 is never lost (SIGKILL before delivery, downstream down), and NATS being
// down neither refuses mail nor loses or doubles an event.
describe('scan node durability', () => {
  let nats: Nats;
  let downstream: Downstream;
  let node: ScanNode;

  beforeAll(async () => {
    ({ nats, downstream, node } = await startNodeRig('durable-node', (port) => testPolicy(port)));
  });
  afterAll(() => stopNodeRig({ nats, downstream, node }));

  it('delivers a message answered 250 after the node was killed with SIGKILL before delivering it', async () => {
    await downstream.pause();
    const sent = await sendMail(node.smtpPort, { from: 'survivor@remote.test', to: 'alice@example.test', subject: 'survives SIGKILL' });
    expect(sent.accepted).toBe(true);
    const id = queuedId(sent)!;
    // Killed at once: the message is in the spool's segment log, or already in its retry files if the first
    // attempt (downstream down) has failed; either way it was fsynced before the 250.
    expect(await node.stop('SIGKILL')).toBeNull();

    await downstream.resume();
    await node.start();
    expect(node.output).toContain('spooled=1');
    const [received] = await waitFor('the message after restart', async () => (downstream.withSubject('survives SIGKILL').length ? downstream.withSubject('survives SIGKILL') : undefined));
    expect(received!.raw).toContain(`id=${id}`);
    await waitFor('the spool to empty', async () => ((await readdir(join(node.dataDir, 'spool'))).some((f) => f.endsWith('.eml')) ? undefined : true));
  });

  it('retries a deferred message on the schedule, and bounces a permanent refusal', async () => {
    downstream.refuseWith = 451;
    const deferred = await sendMail(node.smtpPort, { from: 'retry@remote.test', to: 'bob@example.test', subject: 'deferred once' });
    expect(deferred.accepted).toBe(true);
    const id = queuedId(deferred)!;
    await waitFor('a saved retry state', async () => ((await readdir(join(node.dataDir, 'spool'))).includes(`${id}.state.json`) ? true : undefined));
    downstream.refuseWith = undefined;
    // The test policy retries after 1 s.
    await waitFor('the retried delivery', async () => (downstream.withSubject('deferred once').length ? true : undefined), { timeoutMs: 10_000 });

    downstream.refuseWith = 550;
    const bounced = await sendMail(node.smtpPort, { from: 'bounce@remote.test', to: 'alice@example.test', subject: 'bounced' });
    expect(bounced.accepted).toBe(true);
    const bouncedId = queuedId(bounced)!;
    // Bounced on its first attempt, the message never left the spool's segment log for files of its own.
    await waitFor('the bounce', async () => (node.output.includes(`message ${bouncedId} bounced for alice@example.test`) ? true : undefined));
    expect(await readdir(join(node.dataDir, 'spool'))).not.toContain(`${bouncedId}.eml`);
    downstream.refuseWith = undefined;
    expect(downstream.withSubject('bounced')).toEqual([]);
    expect(node.output).toContain(`message ${bouncedId} bounced for alice@example.test`);
  });

  it('refuses nothing while NATS is down, and every event reaches the stream exactly once afterwards', async () => {
    const total = 40;
    const results: SendResult[] = [];
    for (let i = 0; i < total; i++) {
      if (i === 10) await nats.pause();
      if (i === 30) await nats.resume();
      results.push(await sendMail(node.smtpPort, { from: `flow${i}@remote.test`, to: 'bob@example.test', subject: `nats outage #${i}` }));
    }
    expect(results.filter((r) => !r.accepted)).toEqual([]);
    const ids = results.map((r) => queuedId(r)!);
    await waitFor(`${total} deliveries`, async () => (downstream.messages.filter((m) => m.raw.includes('Subject: nats outage #')).length >= total ? true : undefined));

    const inStream = async () => (await nats.messageEvents('durable-node')).filter((e) => ids.includes(e.id));
    const events = await waitFor(`${total} events in the stream`, async () => {
      const found = await inStream();
      return found.length >= total ? found : undefined;
    }, { timeoutMs: 30_000 });
    expect(new Set(events.map((e) => e.id)).size).toBe(total);
    // A restart replays whatever the journal still holds; JetStream must drop it as duplicates.
    await node.stop();
    await node.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await inStream()).toHaveLength(total);
  });
});
