import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { RawSmtp } from '../harness/raw-smtp.js';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { startRemoteServer, swaks } from './support.js';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const ALICE_PASSWORD = 'harbour-violet-93-kite';
const BOB_PASSWORD = 'copper-meadow-58-lamp';
/** bob's hourly message quota: the quota test sends this many, and one more is refused. */
const BOB_MESSAGES_PER_HOUR = 4;
/** The address the tenant's own mail server connects from (outbound.trustedNetworks). */
const TENANT_SERVER = '127.0.0.66';
/** The remote server refuses this recipient for good (550 5.1.1): its message must come back as a DSN. */
const UNKNOWN_REMOTE = 'nobody@remote.test';

// Issue 13 (F6): submission on the nodes' own ports, with real clients (swaks and nodemailer) over STARTTLS and
// implicit TLS, scanned and delivered to a real SMTP server through the smarthost; refusals with clear replies;
// a DSN to the sender for a permanent failure.
describe('authenticated submission and the outbound path', () => {
  let cluster: TestCluster;
  let remote: Awaited<ReturnType<typeof startRemoteServer>>;
  const submission = (node: number) => defined(cluster.ports.submission[node], `node ${node}'s submission port`);
  const submissions = (node: number) => defined(cluster.ports.submissions[node], `node ${node}'s implicit-TLS port`);

  beforeAll(async () => {
    const [remotePort] = await freePorts(1);
    remote = await startRemoteServer(defined(remotePort, 'a port for the remote server'), UNKNOWN_REMOTE);
    cluster = await startCluster({
      nodes: 2,
      policy: (demo) => ({
        ...demo,
        outbound: {
          accounts: [
            { address: ALICE, canSend: true, aliases: ['sales@example.test'] },
            { address: BOB, canSend: true },
          ],
          // The tenant's own mail server, relaying outbound through the MX port without AUTH.
          trustedNetworks: [`${TENANT_SERVER}/32`],
          quotas: { perUser: { messagesPerHour: BOB_MESSAGES_PER_HOUR } },
          authFailures: { perIp: 3, windowSeconds: 600 },
          delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: defined(remotePort, 'remote port'), tls: 'opportunistic' }] },
        },
      }),
    });
    for (const [address, password] of [[ALICE, ALICE_PASSWORD], [BOB, BOB_PASSWORD]] as const) {
      const set = await cluster.moat(['accounts', 'passwd', address, '--password-stdin'], 60_000, `${password}\n`);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain(`password set for ${address} (may send)`);
    }
    const version = (await cluster.status()).policyVersion;
    await waitFor('both nodes on the policy with the passwords', async () => {
      const status = await cluster.status();
      return status.nodes.filter((n) => n.up && n.policyVersion === version).length === 2 ? true : undefined;
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    await remote?.close();
  });

  it('accepts a weak password nowhere, and never returns hashes', async () => {
    const weak = await cluster.moat(['accounts', 'passwd', ALICE, '--password-stdin'], 60_000, 'Password1234!\n');
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toContain('commonly used password');
    const listed = JSON.stringify(await cluster.csmGet('/api/accounts'));
    expect(listed).toContain('"hasPassword":true');
    expect(listed).not.toContain('scrypt');
    expect(listed).not.toContain(ALICE_PASSWORD);
    // The policy document, its diff and versions show a marker where a hash is stored, and a document sent back
    // with the marker keeps the stored hash (AUTH still works in the tests below).
    const { version } = (await cluster.csmGet('/api/policy')) as { version: number };
    for (const path of ['/api/policy', '/api/policy/diff', `/api/policy/versions/${version}`]) expect(JSON.stringify(await cluster.csmGet(path))).not.toContain('scrypt');
    const policyFile = join(cluster.varDir, 'policy-roundtrip.json');
    const got = await cluster.moat(['policy', 'get'], 60_000);
    expect(got.stdout).toContain('"passwordHash": "kept"');
    await writeFile(policyFile, got.stdout);
    const set = await cluster.moat(['policy', 'set', policyFile], 60_000);
    expect(set.code, set.stderr).toBe(0);
  });

  it('submits with swaks (AUTH PLAIN after STARTTLS): scanned, delivered to the remote server, reported as outbound by alice', async () => {
    const sent = await swaks(['--port', String(submission(0)), '--tls', '--auth', 'PLAIN', '--auth-user', ALICE, '--auth-password', ALICE_PASSWORD, '--from', ALICE, '--to', 'carol@remote.test', '--header', 'Subject: outbound by swaks', '--body', 'hello from alice\n']);
    expect(sent.code, sent.output).toBe(0);
    expect(sent.output).toMatch(/235 .*Authentication successful/i);
    const got = await waitFor('the swaks message at the remote server', async () => remote.received.find((m) => m.raw.includes('Subject: outbound by swaks')));
    expect(got.from).toBe(ALICE);
    expect(got.to).toEqual(['carol@remote.test']);
    // The verdict fields are internal: mail leaving for outside recipients does not carry them.
    expect(got.raw).not.toMatch(/^X-Moat-/im);

    const row = await waitFor('the outbound row in ClickHouse', async () => (await cluster.searchMail(['--subject', 'outbound by swaks'])).find((r) => r.deliveryStatus === 'delivered'));
    expect(row.direction).toBe('outbound');
    const detail = (await cluster.moatJson(['mail', 'show', row.id])) as { authenticatedUser: string; tls: boolean };
    expect(detail.authenticatedUser).toBe(ALICE);
  });

  it('submits with nodemailer (AUTH LOGIN over implicit TLS) on the other node, also from an alias', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: submissions(1), secure: true, auth: { user: ALICE, pass: ALICE_PASSWORD }, authMethod: 'LOGIN', tls: { rejectUnauthorized: false } });
    try {
      const info = await transport.sendMail({ from: 'Sales <sales@example.test>', to: 'dave@remote.test', subject: 'outbound by nodemailer', text: 'from the sales alias\n' });
      expect(info.response).toMatch(/^250 /);
    } finally {
      transport.close();
    }
    const got = await waitFor('the nodemailer message at the remote server', async () => remote.received.find((m) => m.raw.includes('Subject: outbound by nodemailer')));
    expect(got.from).toBe('sales@example.test');
  });

  it('refuses AUTH before STARTTLS on the submission port (538) and MAIL without AUTH (530)', async () => {
    const smtp = await RawSmtp.connect(submission(0));
    try {
      expect((await smtp.reply()).code).toBe(220);
      smtp.write('EHLO client.test\r\n');
      const ehlo = await smtp.reply();
      expect(ehlo.text).toContain('STARTTLS');
      smtp.write(`AUTH PLAIN ${Buffer.from(`\0${ALICE}\0${ALICE_PASSWORD}`).toString('base64')}\r\n`);
      const auth = await smtp.reply();
      expect(auth.code).toBe(538);
      expect(auth.text).toContain('STARTTLS');
      smtp.write(`MAIL FROM:<${ALICE}>\r\n`);
      const mail = await smtp.reply();
      expect(mail.code).toBe(530);
      expect(mail.text).toContain('5.7.0');
    } finally {
      smtp.close();
    }
  });

  it('refuses a wrong password (535 5.7.8)', async () => {
    const sent = await swaks(['--port', String(submission(1)), '--tls', '--auth', 'PLAIN', '--auth-user', ALICE, '--auth-password', 'not-the-password-42', '--from', ALICE, '--to', 'carol@remote.test']);
    expect(sent.code).not.toBe(0);
    expect(sent.output).toContain('535 5.7.8');
  });

  it('counts failed AUTH fleet-wide: after 3 failures on node 1, node 2 refuses that address even the right password (454)', async () => {
    const attempt = async (node: number, password: string) => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: submissions(node), secure: true, localAddress: '127.0.0.77', auth: { user: BOB, pass: password }, tls: { rejectUnauthorized: false } });
      try {
        await transport.verify();
        return { code: 235, response: 'ok' };
      } catch (err) {
        const failed = err as { responseCode?: number; response?: string };
        return { code: failed.responseCode ?? 0, response: failed.response ?? String(err) };
      } finally {
        transport.close();
      }
    };
    for (let i = 0; i < 3; i++) expect((await attempt(0, `wrong-password-${i}-xyz`)).code).toBe(535);
    const blocked = await attempt(1, BOB_PASSWORD);
    expect(blocked.code).toBe(454);
    expect(blocked.response).toContain('too many failed authentications');
    // Another address is not affected.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: submissions(1), secure: true, auth: { user: BOB, pass: BOB_PASSWORD }, tls: { rejectUnauthorized: false } });
    await expect(transport.verify()).resolves.toBe(true);
    transport.close();
  });

  it('refuses a sender that is not the authenticated user: MAIL FROM (553 5.7.1) and the From header (550 5.7.1)', async () => {
    const envelope = await swaks(['--port', String(submission(0)), '--tls', '--auth', 'LOGIN', '--auth-user', ALICE, '--auth-password', ALICE_PASSWORD, '--from', 'ceo@example.test', '--to', 'carol@remote.test']);
    expect(envelope.code).not.toBe(0);
    expect(envelope.output).toContain('553 5.7.1 sender address <ceo@example.test> not owned by authenticated user alice@example.test');
    const header = await swaks(['--port', String(submission(1)), '--tls', '--auth', 'PLAIN', '--auth-user', ALICE, '--auth-password', ALICE_PASSWORD, '--from', ALICE, '--to', 'carol@remote.test', '--header', 'From: The CEO <ceo@example.test>', '--header', 'Subject: forged from']);
    expect(header.code).not.toBe(0);
    expect(header.output).toContain('550 5.7.1 From header address not owned by authenticated user alice@example.test');
    const row = await waitFor('the refused From in ClickHouse', async () => (await cluster.searchMail(['--subject', 'forged from']))[0]);
    expect(row).toMatchObject({ direction: 'outbound', action: 'reject' });
  });

  it(`refuses bob's message over his hourly quota of ${BOB_MESSAGES_PER_HOUR} with 450 4.7.1, counted over both nodes`, async () => {
    const send = async (i: number) => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: submission(i % 2), secure: false, requireTLS: true, auth: { user: BOB, pass: BOB_PASSWORD }, tls: { rejectUnauthorized: false } });
      try {
        const info = await transport.sendMail({ from: BOB, to: 'erin@remote.test', subject: `quota #${i}`, text: `message ${i}\n` });
        return info.response;
      } catch (err) {
        return (err as { response?: string }).response ?? String(err);
      } finally {
        transport.close();
      }
    };
    const replies: string[] = [];
    for (let i = 0; i <= BOB_MESSAGES_PER_HOUR; i++) replies.push(await send(i));
    expect(replies.slice(0, BOB_MESSAGES_PER_HOUR).every((r) => r.startsWith('250 '))).toBe(true);
    expect(replies[BOB_MESSAGES_PER_HOUR]).toMatch(/^450 4\.7\.1 outbound quota of user bob@example\.test \(4 messages per hour\) exceeded/);
  });

  it("relays outbound for the tenant's own server without AUTH, but only for the tenant's senders", async () => {
    const relayed = await sendMail(defined(cluster.ports.smtp[0], 'node 0 SMTP port'), { from: 'carol@example.test', to: 'frank@remote.test', subject: 'relayed by the tenant server' }, { localAddress: TENANT_SERVER });
    expect(relayed.accepted, relayed.response).toBe(true);
    const got = await waitFor('the relayed message at the remote server', async () => remote.received.find((m) => m.raw.includes('Subject: relayed by the tenant server')));
    expect(got.to).toEqual(['frank@remote.test']);
    const foreign = await sendMail(defined(cluster.ports.smtp[0], 'node 0 SMTP port'), { from: 'someone@elsewhere.test', to: 'frank@remote.test', subject: 'open relay attempt' }, { localAddress: TENANT_SERVER });
    expect(foreign).toMatchObject({ accepted: false, code: 550 });
    expect(foreign.response).toContain('5.7.1 relaying denied');
  });

  it('returns a DSN (multipart/report) to the sender when the destination refuses a recipient for good', async () => {
    const sent = await swaks(['--port', String(submission(0)), '--tls', '--auth', 'PLAIN', '--auth-user', ALICE, '--auth-password', ALICE_PASSWORD, '--from', ALICE, '--to', UNKNOWN_REMOTE, '--header', 'Subject: will bounce']);
    expect(sent.code, sent.output).toBe(0);
    const [dsn] = await cluster.waitForMailbox(1, (m) => m.deliveredTo.includes(ALICE) && m.subject === 'Undelivered Mail Returned to Sender');
    const report = defined(dsn, 'the DSN').raw;
    expect(dsn?.returnPath).toBe('');
    expect(report).toMatch(/Content-Type: multipart\/report; report-type=delivery-status/);
    expect(report).toContain(`Final-Recipient: rfc822; ${UNKNOWN_REMOTE}`);
    expect(report).toContain('Action: failed');
    expect(report).toContain('Status: 5.1.1');
    expect(report).toContain('Subject: will bounce');
    const rows = await waitFor('the bounce and the DSN in ClickHouse', async () => {
      const original = (await cluster.searchMail(['--subject', 'will bounce']))[0];
      const notice = (await cluster.searchMail(['--subject', 'Undelivered Mail Returned to Sender']))[0];
      return original?.deliveryStatus === 'bounced' && notice ? { original, notice } : undefined;
    });
    expect(rows.original.direction).toBe('outbound');
    expect(rows.notice).toMatchObject({ direction: 'inbound', mailFrom: '', rcptTo: [ALICE] });
  });
});
