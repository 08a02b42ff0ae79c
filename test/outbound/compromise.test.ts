import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { startRemoteServer } from './support.js';

const ALICE = 'alice@example.test';
const ALICE_PASSWORD = 'meadow-copper-58-wharf';
/** Where the policy sends alerts: a tenant address, so the alert lands in the demo mailbox. */
const ADMIN = 'bob@example.test';
const FLOOR = 4;
/** Held by the new-domains sign. */
const CAROL = 'carol@example.test';
const CAROL_PASSWORD = 'thistle-anchor-71-gable';

interface AccountBlock {
  address: string;
  state: string;
  active: boolean;
  sign: string;
  detail: string;
  untilMs: number;
  trips: number;
}

// Issue 13 (F6): a burst from one account over AUTH, sent alternately to two real nodes, trips the sudden-volume
// sign on the fleet-wide count; from then on both nodes answer the account 451 4.7.1; the alert reaches the
// security log (CSM API) and the administrator's mailbox; `moat accounts unblock` restores sending on both. The
// new-domains sign with action hold puts an account's mail on hold for approval (with its reason) until unblocked.
describe('compromised-account signs across the fleet', () => {
  const run = Date.now().toString(36);
  let cluster: TestCluster;
  let remote: Awaited<ReturnType<typeof startRemoteServer>>;

  /** One message from alice through NODE's implicit-TLS port: the reply code and text (250 when queued). */
  const send = async (node: number, n: number) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: defined(cluster.ports.submissions[node], `node ${node}'s implicit-TLS port`), secure: true, auth: { user: ALICE, pass: ALICE_PASSWORD }, tls: { rejectUnauthorized: false } });
    try {
      const sent = await transport.sendMail({ from: ALICE, to: 'carol@remote.test', subject: `burst ${run} ${n}`, text: `message ${n}` });
      return { code: Number(sent.response.slice(0, 3)), response: sent.response };
    } catch (err) {
      const failed = err as { responseCode?: number; response?: string };
      return { code: failed.responseCode ?? 0, response: failed.response ?? String(err) };
    } finally {
      transport.close();
    }
  };
  const accounts = async () => ((await cluster.csmGet('/api/account-blocks')) as { accounts: AccountBlock[] }).accounts;

  beforeAll(async () => {
    const [remotePort] = await freePorts(1);
    remote = await startRemoteServer(defined(remotePort, 'a port for the remote server'));
    cluster = await startCluster({
      nodes: 2,
      policy: (demo) => ({
        ...demo,
        domains: (demo.domains ?? []).map((d) => ({ ...d, accounts: [...(d.accounts ?? []), 'carol'] })),
        outbound: {
          ...demo.outbound,
          delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: defined(remotePort, 'remote port'), tls: 'none' }] },
          accounts: [...(demo.outbound?.accounts ?? []), { address: CAROL, canSend: true }],
          compromise: { throttleMinutes: 20, alertAddress: ADMIN, volume: { floor: FLOOR, factor: 5 }, newDomains: { perHour: 2, action: 'hold' } },
        },
      }),
    });
    for (const [address, password] of [[ALICE, ALICE_PASSWORD], [CAROL, CAROL_PASSWORD]]) {
      const set = await cluster.moat(['accounts', 'passwd', address, '--password-stdin'], 60_000, `${password}\n`);
      expect(set.code, set.stderr).toBe(0);
    }
    const version = (await cluster.status()).policyVersion;
    await waitFor('both nodes on the policy with the password', async () => {
      const status = await cluster.status();
      return status.nodes.filter((n) => n.up && n.policyVersion === version).length === 2 ? true : undefined;
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await remote?.close();
  });

  it(`throttles the account on both nodes once ${FLOOR + 1} messages in the hour go over the floor, sent half to each node`, async () => {
    const before = Date.now();
    for (let n = 0; n < FLOOR; n++) expect((await send(n % 2, n)).code).toBe(250);
    const tripping = await send(FLOOR % 2, FLOOR);
    expect(tripping.code).toBe(451);
    expect(tripping.response).toContain(`4.7.1 account ${ALICE} is throttled after unusual sending`);
    for (const node of [0, 1]) expect((await send(node, 10 + node)).code).toBe(451);

    const blocked = (await accounts()).find((a) => a.address === ALICE);
    expect(blocked).toMatchObject({ state: 'throttle', active: true, sign: 'volume', trips: 1 });
    expect(blocked?.detail).toContain(`${FLOOR + 1} messages in the last hour`);
    expect(blocked?.untilMs).toBeGreaterThanOrEqual(before + 20 * 60_000);
    const listed = await cluster.moat(['accounts', 'blocked']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/ACCOUNT\s+STATE\s+SIGN\s+SINCE\s+UNTIL\s+TRIPS\s+FINDING/);
    expect(listed.stdout).toContain(ALICE);
  });

  it('raises the alert: a finding in the security log (CSM API) and a mail to the administrator', async () => {
    type Finding = { symbol: string; detail: string; sender: string; action: string };
    const findings = await waitFor('the COMPROMISE_VOLUME finding', async () => {
      const log = (await cluster.csmGet('/api/security-log?kind=COMPROMISE_')) as { findings: Finding[] };
      return log.findings.some((f) => f.symbol === 'COMPROMISE_VOLUME') && log.findings.some((f) => f.symbol === 'COMPROMISE_THROTTLED') ? log.findings : undefined;
    });
    const volume = findings.filter((f) => f.symbol === 'COMPROMISE_VOLUME');
    expect(volume).toHaveLength(1);
    expect(volume[0]).toMatchObject({ sender: ALICE, action: 'tempfail' });
    expect(volume[0]?.detail).toContain('throttled for 20 min');
    const [alert] = await cluster.waitForMailbox(1, (m) => m.subject.includes(`account ${ALICE} shows signs of compromise`));
    expect(alert?.deliveredTo).toEqual([ADMIN]);
    expect(alert?.raw).toContain(`moat accounts unblock ${ALICE}`);
    expect(remote.received.filter((m) => m.raw.includes(`burst ${run}`))).toHaveLength(FLOOR);
  });

  it('`moat accounts unblock` restores sending on both nodes at once (audited); a second unblock is refused', async () => {
    const cleared = await cluster.moat(['accounts', 'unblock', ALICE]);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain(`${ALICE} unblocked on every node`);
    for (const node of [0, 1]) expect((await send(node, 20 + node)).code).toBe(250);
    expect((await accounts()).find((a) => a.address === ALICE)).toMatchObject({ state: 'none', active: false, trips: 1 });
    const again = await cluster.moat(['accounts', 'unblock', ALICE]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('is not throttled or held');
    const audit = (await cluster.csmGet('/api/audit?action=accounts')) as { entries: Array<{ action: string; target: string }> };
    expect(audit.entries.map((e) => `${e.action} ${e.target}`)).toContain(`accounts.unblock ${ALICE}`);
    await waitFor('the messages after the unblock at the remote server', async () => ([20, 21].every((n) => remote.received.some((m) => m.raw.includes(`Subject: burst ${run} ${n}\r\n`))) ? true : undefined));
  });

  it('holds the mail of an account that writes to many new domains for approval, with the reason, until unblocked', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: defined(cluster.ports.submissions[1], "node 1's implicit-TLS port"), secure: true, auth: { user: CAROL, pass: CAROL_PASSWORD }, tls: { rejectUnauthorized: false } });
    const subject = (n: number) => `domains ${run} ${n}`;
    try {
      const tripping = await transport.sendMail({ from: CAROL, to: ['a@one.test', 'b@two.test', 'c@three.test'], subject: subject(1), text: 'hello all' });
      expect(tripping.response).toMatch(/^250 /);
      const next = await transport.sendMail({ from: CAROL, to: 'a@one.test', subject: subject(2), text: 'again' });
      expect(next.response).toMatch(/^250 /);
      type Held = { id: string; subject: string; reasons: string[] };
      const held = await waitFor('both messages waiting for approval', async () => {
        const list = ((await cluster.csmGet('/api/approvals')) as { messages: Held[] }).messages.filter((m) => m.subject.startsWith(`domains ${run}`));
        return list.length === 2 ? list : undefined;
      });
      for (const m of held) expect(m.reasons.some((r) => r.startsWith(`COMPROMISE_HELD ${CAROL}: held for approval`))).toBe(true);
      expect((await accounts()).find((a) => a.address === CAROL)).toMatchObject({ state: 'hold', active: true, sign: 'new-domains', untilMs: 0 });
      expect(remote.received.some((m) => m.raw.includes(`domains ${run}`))).toBe(false);

      const cleared = await cluster.moat(['accounts', 'unblock', CAROL]);
      expect(cleared.code, cleared.stderr).toBe(0);
      expect((await transport.sendMail({ from: CAROL, to: 'a@one.test', subject: subject(3), text: 'known domain' })).response).toMatch(/^250 /);
      await waitFor('the message after the unblock at the remote server', async () => remote.received.find((m) => m.raw.includes(`Subject: ${subject(3)}\r\n`)));
    } finally {
      transport.close();
    }
  });
});
