import { buildZip } from '@moat/content/testing';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { freePorts } from '../harness/free-ports.js';
import { waitFor } from '../harness/wait.js';
import { startRemoteServer } from './support.js';

const ALICE = 'alice@example.test';
const ALICE_PASSWORD = 'harbour-violet-93-kite';

type MailSymbol = { name: string; detail: string };

// Issue 13 (F7): outbound approval rules on a real node. alice submits with AUTH; the policy holds mail carrying a
// zip for anyone outside example.test; the approver's decision (POST /api/approvals/:id/approve) delivers it to
// the real smarthost server; a message no rule matches goes at once.
describe('outbound approval rules', () => {
  const run = Date.now().toString(36);
  let cluster: TestCluster;
  let remote: Awaited<ReturnType<typeof startRemoteServer>>;
  let transport: nodemailer.Transporter;

  beforeAll(async () => {
    const [remotePort] = await freePorts(1);
    remote = await startRemoteServer(defined(remotePort, 'a port for the remote server'));
    cluster = await startCluster({
      nodes: 1,
      policy: (demo) => ({
        ...demo,
        outbound: {
          ...demo.outbound,
          delivery: { smarthosts: [{ senderDomain: '*', host: '127.0.0.1', port: defined(remotePort, 'remote port'), tls: 'none' }] },
          approvals: [
            { name: 'zip outside', attachmentTypes: ['zip'], recipientsOutside: ['example.test'] },
            { name: 'secret', keywords: ['strictly confidential'] },
          ],
        },
      }),
    });
    const set = await cluster.moat(['accounts', 'passwd', ALICE, '--password-stdin'], 60_000, `${ALICE_PASSWORD}\n`);
    expect(set.code, set.stderr).toBe(0);
    const version = (await cluster.status()).policyVersion;
    await waitFor('the node on the policy with the password', async () => ((await cluster.status()).nodes.some((n) => n.up && n.policyVersion === version) ? true : undefined));
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: defined(cluster.ports.submissions[0], 'implicit-TLS port'), secure: true, auth: { user: ALICE, pass: ALICE_PASSWORD }, tls: { rejectUnauthorized: false } });
  });

  afterAll(async () => {
    transport?.close();
    await cluster?.stop();
    await remote?.close();
  });

  const subject = (name: string) => `approval ${run} ${name}`;
  const idOf = async (name: string) => (await waitFor(`the event of "${name}"`, async () => (await cluster.searchMail(['--subject', subject(name)]))[0])).id;
  const delivered = (name: string) => waitFor(`"${name}" at the remote server`, async () => remote.received.find((m) => m.raw.includes(`Subject: ${subject(name)}`)));
  const zip = buildZip([{ name: 'q3/figures.csv', data: Buffer.from('quarter,revenue\nq3,100\n') }]);

  it('holds a zip to an outside domain with its rule; listed in GET /api/approvals and moat approvals list; approve delivers it to the smarthost', async () => {
    const sent = await transport.sendMail({ from: ALICE, to: 'carol@remote.test', subject: subject('zip'), text: 'figures attached', attachments: [{ filename: 'figures.zip', content: zip }] });
    expect(sent.response).toMatch(/^250 /);
    const id = await idOf('zip');
    const detail = (await cluster.csmGet(`/api/mail/${id}`)) as { action: string; direction: string; symbols: MailSymbol[] };
    expect(detail).toMatchObject({ action: 'hold', direction: 'outbound' });
    expect(detail.symbols.filter((s) => s.name === 'APPROVAL_RULE').map((s) => s.detail)).toEqual(['zip outside: attachment zip; recipient outside remote.test']);

    const listed = (await cluster.csmGet('/api/approvals')) as { messages: { id: string; subject: string; reasons: string[] }[] };
    expect(listed.messages.find((m) => m.id === id)).toMatchObject({ subject: subject('zip'), reasons: ['APPROVAL_RULE zip outside: attachment zip; recipient outside remote.test'] });
    const table = await cluster.moat(['approvals', 'list']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n').find((line) => line.startsWith(id))).toContain('APPROVAL_RULE zip outside: attachment zip; recipient outside remote.test');
    expect(remote.received.some((m) => m.raw.includes(subject('zip')))).toBe(false);

    const approved = await cluster.csmFetch(`/api/approvals/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${await cluster.token()}` } });
    expect(approved.status, await approved.clone().text()).toBeLessThan(300);
    expect((await delivered('zip')).to).toEqual(['carol@remote.test']);
  });

  it('delivers at once what matches no rule: the same zip inside the domain, a plain message outside', async () => {
    expect((await transport.sendMail({ from: ALICE, to: 'bob@example.test', subject: subject('inside'), text: 'figures', attachments: [{ filename: 'figures.zip', content: zip }] })).response).toMatch(/^250 /);
    expect((await transport.sendMail({ from: ALICE, to: 'carol@remote.test', subject: subject('plain'), text: 'lunch at noon?' })).response).toMatch(/^250 /);
    expect((await delivered('plain')).to).toEqual(['carol@remote.test']);
    for (const name of ['inside', 'plain']) {
      const detail = (await cluster.csmGet(`/api/mail/${await idOf(name)}`)) as { action: string; symbols: MailSymbol[] };
      expect(detail.action).toBe('deliver');
      expect(detail.symbols.some((s) => s.name === 'APPROVAL_RULE')).toBe(false);
    }
  });

  it('holds a message with a keyword in its subject, whatever its case', async () => {
    expect((await transport.sendMail({ from: ALICE, to: 'carol@remote.test', subject: `${subject('keyword')} STRICTLY Confidential`, text: 'see below' })).response).toMatch(/^250 /);
    const detail = (await cluster.csmGet(`/api/mail/${await idOf('keyword')}`)) as { action: string; symbols: MailSymbol[] };
    expect(detail.action).toBe('hold');
    expect(detail.symbols.filter((s) => s.name === 'APPROVAL_RULE').map((s) => s.detail)).toEqual(['secret: keyword strictly confidential']);
  });
});
