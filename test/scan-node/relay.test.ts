import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openQuarantineStore } from '@moat/bus';
import { Action } from '@moat/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSmtp } from '../harness/raw-smtp.js';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { startNodeRig, stopNodeRig, testPolicy, type Downstream, type Nats, type ScanNode } from './support/scan-node.js';

// Issue 2: the scan node relays the tenant's mail to its downstream, refuses everything else, quarantines
// into the JetStream Object Store, and reports one event per transaction, all on its persisted policy alone.
describe('scan node relay', () => {
  let nats: Nats;
  let downstream: Downstream;
  let node: ScanNode;

  beforeAll(async () => {
    ({ nats, downstream, node } = await startNodeRig('relay-node', (port) => testPolicy(port, { lists: { ipBlock: ['192.0.2.0/24'], senderBlock: ['spammer@blocked.test'] } }), 7));
  });
  afterAll(() => stopNodeRig({ nats, downstream, node }));

  it('relays a message to the domain downstream over STARTTLS, with its trace headers', async () => {
    const sent = await sendMail(node.smtpPort, { from: 'friend@remote.test', to: ['alice@example.test', 'bob@example.test'], subject: 'hello relay' });
    expect(sent).toMatchObject({ accepted: true, code: 250 });
    const id = /queued as ([0-9A-Z]{26})/.exec(sent.response)?.[1];
    expect(id, sent.response).toBeDefined();
    const [received] = await waitFor('the message at the downstream', async () => (downstream.withSubject('hello relay').length ? downstream.withSubject('hello relay') : undefined));
    expect(received!.rcptTo.sort()).toEqual(['alice@example.test', 'bob@example.test']);
    expect(received!.mailFrom).toBe('friend@remote.test');
    expect(received!.tls).toBe(true);
    expect(received!.raw).toMatch(new RegExp(`^Received: from \\S+ \\(unknown \\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby relay-node \\(Moat\\) with ESMTP id ${id};`));
    expect(received!.raw).toContain(`X-Moat-Verdict: deliver; score=0.00; id=${id}; node=relay-node; symbols=`);
    await waitFor('the spool to empty', async () => ((await readdir(join(node.dataDir, 'spool'))).some((f) => f.endsWith('.eml')) ? undefined : true));

    const events = await waitFor('its MessageEvent', async () => (await nats.messageEvents('relay-node')).find((e) => e.id === id));
    expect(events).toMatchObject({ action: Action.ACTION_DELIVER, policyVersion: 7, smtpReply: `250 2.0.0 Ok: queued as ${id}`, headers: { subject: 'hello relay' } });
    expect(events.envelope).toMatchObject({ mailFrom: 'friend@remote.test', clientIp: '127.0.0.1' });
  });

  it('is not an open relay: recipients outside the tenant are refused, and the refusal is one event', async () => {
    const sent = await sendMail(node.smtpPort, { from: 'friend@remote.test', to: 'victim@elsewhere.test', subject: 'relay me' });
    expect(sent.accepted).toBe(false);
    expect(sent.code).toBeGreaterThanOrEqual(550);
    const smtp = await RawSmtp.connect(node.smtpPort);
    await smtp.reply();
    await smtp.command('EHLO probe.remote.test');
    expect((await smtp.command('MAIL FROM:<probe@remote.test>')).code).toBe(250);
    for (const rcpt of ['a@elsewhere.test', 'b@elsewhere.test', 'carol@example.test']) expect((await smtp.command(`RCPT TO:<${rcpt}>`)).code).toBeGreaterThanOrEqual(500);
    expect((await smtp.command('QUIT')).code).toBe(221);
    const refused = await waitFor('the refusal events', async () => {
      const found = (await nats.messageEvents('relay-node')).filter((e) => e.envelope?.mailFrom === 'probe@remote.test');
      return found.length ? found : undefined;
    });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ action: Action.ACTION_REJECT, envelope: { rcptTo: ['a@elsewhere.test', 'b@elsewhere.test', 'carol@example.test'] } });
    expect(downstream.withSubject('relay me')).toEqual([]);
  });

  it('applies the IP block list to the client named by XCLIENT from a trusted proxy', async () => {
    const smtp = await RawSmtp.connect(node.smtpPort);
    await smtp.reply();
    expect((await smtp.command('EHLO proxy.local')).text).toContain('XCLIENT');
    expect((await smtp.command('XCLIENT ADDR=192.0.2.66 NAME=bad.remote.test')).code).toBe(220);
    await smtp.command('EHLO bad.remote.test');
    const refused = await smtp.command('MAIL FROM:<someone@remote.test>');
    expect(refused.code).toBe(554);
    smtp.close();
    const event = await waitFor('the blocked transaction event', async () => (await nats.messageEvents('relay-node')).find((e) => e.envelope?.clientIp === '192.0.2.66'));
    expect(event.action).toBe(Action.ACTION_REJECT);
    expect(event.symbols.map((s) => s.name)).toContain('IP_BLOCKLIST');
  });

  it('refuses a blocked sender at MAIL FROM', async () => {
    const sent = await sendMail(node.smtpPort, { from: 'spammer@blocked.test', to: 'alice@example.test', subject: 'buy now' });
    expect(sent.accepted).toBe(false);
    expect(sent.code).toBeGreaterThanOrEqual(500);
  });
});

describe('scan node quarantine', () => {
  let nats: Nats;
  let downstream: Downstream;
  let node: ScanNode;

  beforeAll(async () => {
    // Thresholds below zero: every clean message scores 0 and is quarantined.
    ({ nats, downstream, node } = await startNodeRig('quarantine-node', (port) => testPolicy(port, { thresholds: { tag: -20, quarantine: -10, reject: 100 } })));
  });
  afterAll(() => stopNodeRig({ nats, downstream, node }));

  it('stores a quarantined message in the object store with its envelope, and never delivers it', async () => {
    const sent = await sendMail(node.smtpPort, { from: 'odd@remote.test', to: 'alice@example.test', subject: 'quarantine me' });
    expect(sent.accepted).toBe(true);
    const id = /queued as ([0-9A-Z]{26})/.exec(sent.response)![1]!;
    const nc = await nats.client();
    try {
      const store = await openQuarantineStore(nc);
      const info = await store.info(id);
      expect(info?.metadata).toMatchObject({ mail_from: 'odd@remote.test', rcpt_to: '["alice@example.test"]', node_id: 'quarantine-node', action: 'quarantine' });
      const body = new TextDecoder().decode((await store.getBlob(id))!);
      expect(body).toContain('X-Moat-Verdict: quarantine;');
      expect(body).toContain('Subject: quarantine me');
    } finally {
      await nc.close();
    }
    const event = await waitFor('its event', async () => (await nats.messageEvents('quarantine-node')).find((e) => e.id === id));
    expect(event).toMatchObject({ action: Action.ACTION_QUARANTINE, delivery: { status: 'quarantined' } });
    expect(downstream.messages).toEqual([]);
  });

  it('keeps quarantined messages locally while NATS is down and uploads them when it is back', async () => {
    await nats.pause();
    const sent = await sendMail(node.smtpPort, { from: 'odd@remote.test', to: 'bob@example.test', subject: 'quarantined during outage' });
    expect(sent.accepted).toBe(true);
    const id = /queued as ([0-9A-Z]{26})/.exec(sent.response)![1]!;
    expect(await readdir(join(node.dataDir, 'quarantine'))).toContain(`${id}.eml`);
    await nats.resume();
    const nc = await nats.client();
    try {
      const store = await openQuarantineStore(nc);
      const info = await waitFor('the upload', async () => (await store.info(id)) ?? undefined, { timeoutMs: 30_000 });
      expect(info.metadata?.rcpt_to).toBe('["bob@example.test"]');
    } finally {
      await nc.close();
    }
    await waitFor('the local copy to go', async () => ((await readdir(join(node.dataDir, 'quarantine'))).includes(`${id}.eml`) ? undefined : true));
    expect(downstream.messages).toEqual([]);
  });
});
