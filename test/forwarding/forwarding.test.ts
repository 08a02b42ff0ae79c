import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKnot, zoneTxt, type RunningKnot } from '../auth/support/knot.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { RawSmtp } from '../harness/raw-smtp.js';
import { waitFor } from '../harness/wait.js';
import { spfCheck, startFarEnd, type FarMessage } from './support.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const DAVE = 'dave@sender.test';
const CAROL = 'carol@example.test';

interface Detail {
  action: string;
  symbols: { name: string; detail: string }[];
  deliveries: { recipient: string; status: string; response: string }[];
}

// Issue 14 (F9): forwarding rules on a real cluster. The far end is a real SMTP server (the tenant's smarthost
// stands for the internet) that checks SPF of every envelope sender with Debian's python3-spf against records
// served by knotd: sender.test allows only 192.0.2.0/24, example.test allows the node (127.0.0.0/8). A forwarder
// on the far side sends bob's copies back to the node, which makes a loop. Group `sales` has alice, not carol.
describe('forwarding with SRS and loop protection', () => {
  let cluster: TestCluster;
  let knot: RunningKnot;
  let far: Awaited<ReturnType<typeof startFarEnd>>;
  const sentBack: Promise<unknown>[] = [];

  async function detailOf(subject: string, ready: (d: Detail) => boolean): Promise<Detail & { id: string }> {
    return waitFor(`"${subject}" in mail tracking`, async () => {
      const row = (await cluster.searchMail(['--subject', subject]))[0];
      if (!row) return undefined;
      const detail = (await cluster.moatJson(['mail', 'show', row.id])) as Detail;
      return ready(detail) ? { ...detail, id: row.id } : undefined;
    });
  }

  const copiesOf = (subject: string): FarMessage[] => far.received.filter((m) => m.raw.includes(`Subject: ${subject}`));

  beforeAll(async () => {
    knot = await startKnot({
      records: [
        { name: 'example.test', type: 'TXT', data: zoneTxt(['v=spf1 ip4:127.0.0.0/8 -all']) },
        { name: 'sender.test', type: 'TXT', data: zoneTxt(['v=spf1 ip4:192.0.2.0/24 -all']) },
      ],
    });
    const [farPort] = await freePorts(1);
    far = await startFarEnd(defined(farPort, 'a port for the far end'), knot.server, (message) => {
      // The far side's forwarder: whatever reaches bob@loop.test goes back to bob, with its own Received field.
      if (!message.to.includes('bob@loop.test')) return;
      const raw = `Received: from ${message.helo} by far.test; ${new Date().toUTCString()}\r\n${message.raw}`;
      sentBack.push(cluster.sendMail(0, { from: 'forwarder@loop.test', to: BOB, subject: '', raw }));
    });
    cluster = await startCluster({
      nodes: 1,
      policy: (demo) => ({
        ...demo,
        domains: (demo.domains ?? []).map((d) => ({ ...d, accounts: [...(d.accounts ?? []), 'carol'] })),
        groups: [{ name: 'sales', members: [ALICE] }],
        outbound: { ...demo.outbound, delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: defined(farPort, 'far port'), tls: 'none' }] } },
        body: { regex: { rules: [{ name: 'HOLD_FOR_REVIEW', kind: 'block', on: 'subject', pattern: '\\[review\\]', score: 0, action: 'quarantine' }] } },
        forwarding: {
          maxHops: 3,
          rules: [
            { name: 'alice copy', recipients: { kind: 'address', address: ALICE }, to: ['alice@remote.test'] },
            { name: 'partner away', senders: { kind: 'domain', domain: 'partner.test' }, recipients: { kind: 'address', address: ALICE }, to: ['alice.away@remote.test'], mode: 'forward' },
            { name: 'bob copy', recipients: { kind: 'address', address: BOB }, to: ['bob@loop.test'] },
            { name: 'sales desk', senders: { kind: 'domain', domain: 'customer.test' }, recipients: { kind: 'group', group: 'sales' }, to: ['desk@remote.test'] },
          ],
        },
      }),
    });
    // The node keeps the key the CSM sent it beside its spool (0600); forwarding waits for it.
    const keyFile = join(cluster.varDir, 'nodes', 'node-1', 'srs.key');
    const kept = await waitFor('the node holding the SRS key', async () => stat(keyFile).catch(() => undefined));
    expect(kept.mode & 0o777).toBe(0o600);
    expect(kept.size).toBe(32);
  });

  afterAll(async () => {
    await Promise.allSettled(sentBack);
    await cluster?.stop();
    await far?.close();
    await knot?.stop();
  });

  it('delivers and forwards a copy whose SRS sender passes SPF at the far end (the original sender would fail)', async () => {
    const subject = `forward copy ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: DAVE, to: ALICE, subject, body: 'for alice and her copy\n' })).code).toBe(250);
    const [delivered] = await cluster.waitForMailbox(1, (m) => m.subject === subject);
    expect(delivered?.deliveredTo).toEqual([ALICE]);
    expect(delivered?.returnPath).toBe(DAVE);
    const copy = await waitFor('the forwarded copy at the far end', async () => copiesOf(subject)[0]);
    expect(copy.to).toEqual(['alice@remote.test']);
    expect(copy.from).toMatch(/^SRS0=[A-Z2-7]{8}=[A-Z2-7]{2}=sender\.test=dave@example\.test$/);
    expect(copy.spf).toBe('pass');
    expect(await spfCheck(knot.server, copy.clientIp, DAVE, copy.helo)).toBe('fail');
    expect(copy.raw).toMatch(/^X-Moat-Forwarded: hops=1; tenant=default\r$/m);
    expect(copy.raw).not.toMatch(/^X-Moat-Verdict/m);

    const detail = await detailOf(subject, (d) => d.deliveries.some((x) => x.recipient === 'alice@remote.test' && x.status === 'delivered'));
    expect(detail.symbols).toContainEqual(expect.objectContaining({ name: 'FORWARDED', detail: `rule alice copy (copy): ${ALICE} -> alice@remote.test` }));
    expect(detail.deliveries.map((d) => `${d.recipient} ${d.status}`)).toEqual(expect.arrayContaining([`${ALICE} delivered`, 'alice@remote.test forwarded', 'alice@remote.test delivered']));
  });

  it('forward mode: the copy goes instead of the delivery', async () => {
    const subject = `forward only ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: 'erin@partner.test', to: ALICE, subject })).code).toBe(250);
    const copies = await waitFor('both copies at the far end', async () => (copiesOf(subject).length >= 2 ? copiesOf(subject) : undefined));
    expect(copies.flatMap((c) => c.to).sort()).toEqual(['alice.away@remote.test', 'alice@remote.test']);
    expect(copies.every((c) => c.spf === 'pass')).toBe(true);
    const detail = await detailOf(subject, (d) => d.deliveries.filter((x) => x.status === 'delivered').length >= 2);
    expect(detail.deliveries.some((d) => d.recipient === ALICE)).toBe(false);
    expect((await cluster.mailbox()).some((m) => m.subject === subject)).toBe(false);
  });

  it('a group rule forwards mail for a member of the group and not for a non-member', async () => {
    const subject = `forward group ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: 'fay@customer.test', to: [ALICE, CAROL], subject })).code).toBe(250);
    const copies = await waitFor('both copies at the far end', async () => (copiesOf(subject).length >= 2 ? copiesOf(subject) : undefined));
    expect(copies.map((c) => [c.to, c.spf]).sort()).toEqual([
      [['alice@remote.test'], 'pass'],
      [['desk@remote.test'], 'pass'],
    ]);
    const delivered = await cluster.waitForMailbox(1, (m) => m.subject === subject);
    expect(delivered.flatMap((m) => m.deliveredTo).sort()).toEqual([ALICE, CAROL]);
    const detail = await detailOf(subject, (d) => d.deliveries.filter((x) => x.status === 'delivered').length >= 3);
    expect(detail.symbols.filter((s) => s.name === 'FORWARDED').map((s) => s.detail).sort()).toEqual([
      `rule alice copy (copy): ${ALICE} -> alice@remote.test`,
      `rule sales desk (copy): ${ALICE} -> desk@remote.test`,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(copiesOf(subject)).toHaveLength(2);
  });

  it('sends a bounce to the SRS address back to the original sender; refuses a forged one', async () => {
    const subject = `forward bounce ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: DAVE, to: ALICE, subject })).code).toBe(250);
    const copy = await waitFor('the copy at the far end', async () => copiesOf(subject)[0]);
    const bounceSubject = `Undelivered: ${subject}`;
    const smtp = await RawSmtp.connect(defined(cluster.ports.smtp[0], 'smtp port'));
    try {
      expect((await smtp.reply()).code).toBe(220);
      expect((await smtp.command('EHLO far.test')).code).toBe(250);
      expect((await smtp.command('MAIL FROM:<>')).code).toBe(250);
      const forged = copy.from.replace(/^SRS0=[A-Z2-7]{8}/, 'SRS0=AAAAAAAA');
      const refused = await smtp.command(`RCPT TO:<${forged}>`);
      expect(refused.code).toBe(550);
      expect(refused.text).toContain('invalid SRS address');
      expect((await smtp.command(`RCPT TO:<${copy.from}>`)).code).toBe(250);
      expect((await smtp.command('DATA')).code).toBe(354);
      smtp.write(`From: MAILER-DAEMON@remote.test\r\nTo: ${copy.from}\r\nSubject: ${bounceSubject}\r\n\r\nalice@remote.test: mailbox full\r\n.\r\n`);
      expect((await smtp.reply()).code).toBe(250);
      await smtp.command('QUIT');
    } finally {
      smtp.close();
    }
    const returned = await waitFor('the bounce back at the original sender', async () => copiesOf(bounceSubject)[0]);
    expect(returned.to).toEqual([DAVE]);
    expect(returned.from).toBe('');
    const detail = await detailOf(bounceSubject, (d) => d.deliveries.some((x) => x.recipient === DAVE && x.status === 'delivered'));
    expect(detail.deliveries.map((d) => `${d.recipient} ${d.status}`)).toContain(`${DAVE} returned`);
  });

  it('does not forward quarantined mail', async () => {
    const subject = `[review] forward held ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: DAVE, to: ALICE, subject })).code).toBe(250);
    const detail = await detailOf(subject, () => true);
    expect(detail.action).toBe('quarantine');
    expect(detail.symbols.some((s) => s.name === 'FORWARDED')).toBe(false);
    expect(detail.deliveries).toEqual([]);
    // A later message is forwarded, so the held one had its chance to be.
    const after = `forward after held ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: DAVE, to: ALICE, subject: after })).code).toBe(250);
    await waitFor('the next copy', async () => copiesOf(after)[0]);
    expect(copiesOf(subject)).toEqual([]);
  });

  it('stops a loop through a forwarder on the far side at the hop limit; every round is still delivered to bob', async () => {
    const subject = `forward loop ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: DAVE, to: BOB, subject })).code).toBe(250);
    await cluster.waitForMailbox(4, (m) => m.subject === subject);
    const copies = copiesOf(subject);
    expect(copies.map((c) => /X-Moat-Forwarded: hops=(\d+)/.exec(c.raw)?.[1])).toEqual(['1', '2', '3']);
    const looped = await waitFor('the message that was not forwarded again', async () => {
      for (const row of await cluster.searchMail(['--subject', subject])) {
        const detail = (await cluster.moatJson(['mail', 'show', row.id])) as Detail;
        const symbol = detail.symbols.find((s) => s.name === 'FORWARD_LOOP');
        if (symbol && detail.deliveries.some((d) => d.recipient === BOB && d.status === 'delivered')) return symbol;
      }
      return undefined;
    });
    expect(looped.detail).toBe(`not forwarded: forwarded 3 times already (limit 3); delivered to ${BOB}`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(copiesOf(subject)).toHaveLength(3);
    expect((await cluster.mailbox()).filter((m) => m.subject === subject)).toHaveLength(4);
  });

  it('keeps forwarding after a node restart without the CSM, with the kept key; the key is in no log', async () => {
    const before = `forward before restart ${Date.now()}`;
    expect((await cluster.sendMail(0, { from: DAVE, to: ALICE, subject: before })).code).toBe(250);
    const earlier = await waitFor('the copy before the restart', async () => copiesOf(before)[0]);
    await cluster.stopCsm();
    try {
      await cluster.stopNode(0);
      await cluster.startNode(0);
      const after = `forward after restart ${Date.now()}`;
      expect((await cluster.sendMail(0, { from: DAVE, to: ALICE, subject: after })).code).toBe(250);
      const copy = await waitFor('the copy after the restart', async () => copiesOf(after)[0]);
      expect(copy.from).toMatch(/^SRS0=.*=sender\.test=dave@example\.test$/);
      expect(copy.spf).toBe('pass');
      const bounce = `Undelivered after restart ${Date.now()}`;
      expect((await cluster.sendMail(0, { from: 'postmaster@remote.test', to: earlier.from, subject: bounce })).code).toBe(250);
      expect((await waitFor('the bounce returned by the restarted node', async () => copiesOf(bounce)[0])).to).toEqual([DAVE]);
    } finally {
      await cluster.startCsm();
    }
    const key = await readFile(join(cluster.varDir, 'nodes', 'node-1', 'srs.key'));
    const logsDir = cluster.cluster.paths.logs;
    for (const name of await readdir(logsDir)) {
      const log = await readFile(join(logsDir, name), 'latin1');
      for (const form of [key.toString('base64'), key.toString('hex'), key.toString('latin1')]) expect(log.includes(form), `${name} holds the SRS key`).toBe(false);
    }
  });
});

