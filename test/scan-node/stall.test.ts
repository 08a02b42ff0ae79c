import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { Action } from '@moat/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { Downstream, Nats, ScanNode, stopNodeRig, testPolicy } from './support/scan-node.js';

const CHECK_TIMEOUT_MS = 4000;
const STALLER = pathToFileURL(join(import.meta.dirname, 'support/stalling-check.mjs')).href;

// Issue 11: a content check that never returns (here one made to loop forever) stalls neither the node's event
// loop nor the other SMTP sessions: it runs on an inspection worker under body.checkTimeoutMs, its message
// gets CHECK_TIMEOUT and is quarantined (attachments.settings.incomplete), and the others are answered as usual.
describe('scan node with a stalling content check', () => {
  let nats: Nats;
  let downstream: Downstream;
  let node: ScanNode;

  beforeAll(async () => {
    nats = await Nats.start();
    downstream = await Downstream.start();
    node = await ScanNode.create('stall-node', nats.url, testPolicy(downstream.port, { body: { checkTimeoutMs: CHECK_TIMEOUT_MS, regex: { rules: [{ name: 'MINUTES', kind: 'block', on: 'body', pattern: String.raw`\bminutes\s+of\b`, score: 1 }] } } }));
    await node.start({ NODE_OPTIONS: `--import ${STALLER}` });
  });
  afterAll(() => stopNodeRig({ nats, downstream, node }));

  const ordinary = async (subject: string): Promise<number> => {
    const started = performance.now();
    const sent = await sendMail(node.smtpPort, { from: 'friend@remote.test', to: 'alice@example.test', subject, body: 'Minutes of the meeting attached.\n' });
    expect(sent).toMatchObject({ accepted: true, code: 250 });
    return performance.now() - started;
  };

  it('answers other sessions while one message is stuck in a check, then quarantines that one with CHECK_TIMEOUT', async () => {
    // The first messages also warm the workers up (each is sent the policy once): not part of the usual time.
    await Promise.all([ordinary('warm-up 1'), ordinary('warm-up 2')]);
    const usual = Math.max(await ordinary('usual 1'), await ordinary('usual 2'), await ordinary('usual 3'));

    const stalledStart = performance.now();
    const stalled = sendMail(node.smtpPort, { from: 'friend@remote.test', to: 'alice@example.test', subject: 'invoice STALL-ME', body: 'Please pay.\n' }).then((r) => ({ ...r, ms: performance.now() - stalledStart }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const during = await Promise.all(['during 1', 'during 2', 'during 3'].map((s) => ordinary(s)));
    const sequential = [await ordinary('during 4'), await ordinary('during 5')];
    const answeredBy = performance.now() - stalledStart;

    // The five others were answered while the stalled message was still waiting for its check, each about as
    // fast as before (generous: the machine is shared).
    expect(answeredBy).toBeLessThan(CHECK_TIMEOUT_MS);
    for (const ms of [...during, ...sequential]) expect(ms).toBeLessThan(Math.max(1000, usual * 5));

    const result = await stalled;
    expect(result).toMatchObject({ accepted: true, code: 250 });
    expect(result.ms).toBeGreaterThanOrEqual(CHECK_TIMEOUT_MS);
    expect(result.ms).toBeLessThan(CHECK_TIMEOUT_MS + 5000);
    const id = /queued as ([0-9A-Z]{26})/.exec(result.response)?.[1];
    const event = await waitFor('the stalled message event', async () => (await nats.messageEvents('stall-node')).find((e) => e.id === id));
    expect(event.action).toBe(Action.ACTION_QUARANTINE);
    expect(event.symbols.find((s) => s.name === 'CHECK_TIMEOUT')?.detail).toBe(`payment_wording: did not finish within ${CHECK_TIMEOUT_MS} ms; later content checks skipped`);
    expect(downstream.withSubject('invoice STALL-ME')).toEqual([]);
    expect(node.output).toContain('content check payment_wording stopped');

    // The node carries on with a fresh worker: ordinary mail still flows, its content checks (the regex filter on
    // RE2 here) run on the workers, and it is delivered.
    await ordinary('after');
    await waitFor('the later message downstream', async () => (downstream.withSubject('after').length > 0 ? true : undefined));
    const after = await waitFor('its event', async () => (await nats.messageEvents('stall-node')).find((e) => e.headers?.subject === 'after'));
    expect(after.action).toBe(Action.ACTION_DELIVER);
    expect(after.symbols.map((s) => s.name)).toContain('REGEX_MINUTES');
  });
});
