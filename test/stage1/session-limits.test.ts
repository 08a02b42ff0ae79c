import { Action } from '@moat/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSmtp, type SmtpReply } from '../harness/raw-smtp.js';
import { waitFor } from '../harness/wait.js';
import { startNodeRig, stopNodeRig, testPolicy, Nats, ScanNode, type Downstream } from '../scan-node/support/scan-node.js';
import { letter, xclientTransaction } from './support/xclient-transaction.js';

// Issue 3, session protection (F1): every limit of `policy.smtp` and the mail-bomb defence, driven through a
// real scan node with raw SMTP sockets. Limits are set low so that each is reached in a few commands.

/** Opens a connection and returns it with its first reply (the greeting, or the refusal in its place). */
async function open(port: number, localAddress?: string): Promise<{ smtp: RawSmtp; greeting: SmtpReply }> {
  const smtp = await RawSmtp.connect(port, { localAddress });
  return { smtp, greeting: await smtp.reply() };
}

const codes = async (smtp: RawSmtp, lines: string[]): Promise<number[]> => {
  const replies: number[] = [];
  for (const line of lines) replies.push((await smtp.command(line)).code);
  return replies;
};

describe('session limits: counts per connection and per client', () => {
  let nats: Nats;
  let downstream: Downstream;
  let node: ScanNode;

  beforeAll(async () => {
    ({ nats, downstream, node } = await startNodeRig('limits-node', (port) => testPolicy(port, {
      smtp: {
        maxConnections: 3,
        maxConnectionsPerIp: 2,
        maxMessagesPerSession: 2,
        maxRecipients: 3,
        maxRecipientsPerSession: 4,
        maxCommandsPerSession: 12,
        maxUnknownCommands: 3,
        maxErrors: 2,
      },
      // Clients are presented with XCLIENT as internet addresses; no DNS checks, so no resolver is asked.
      smtpChecks: { mailBomb: { maxMessages: 2, windowSeconds: 600, action: 'tempfail' }, reverseDns: { enabled: false }, auth: { enabled: false } },
    })));
  }, 120_000);

  afterAll(() => stopNodeRig({ nats, downstream, node }));

  it('refuses a client address over maxConnectionsPerIp, and anyone over maxConnections', async () => {
    const first = await open(node.smtpPort);
    const second = await open(node.smtpPort);
    expect([first.greeting.code, second.greeting.code]).toEqual([220, 220]);
    const third = await open(node.smtpPort);
    expect(third.greeting).toMatchObject({ code: 421, text: expect.stringContaining('too many connections from your address') });
    expect(await third.smtp.waitClosed()).toBe(true);

    // Another client address still gets in (three connections now), a fourth address does not.
    const other = await waitFor('a free place for 127.0.0.2', async () => {
      const attempt = await open(node.smtpPort, '127.0.0.2');
      if (attempt.greeting.code === 220) return attempt;
      attempt.smtp.close();
      return undefined;
    });
    const fourth = await open(node.smtpPort, '127.0.0.3');
    expect(fourth.greeting).toMatchObject({ code: 421, text: expect.stringContaining('Too many connected clients') });
    expect(await fourth.smtp.waitClosed()).toBe(true);

    for (const { smtp } of [first, second, other]) smtp.close();
    // Places are given back when connections close.
    const again = await waitFor('a place after the others closed', async () => {
      const attempt = await open(node.smtpPort);
      if (attempt.greeting.code === 220) return attempt;
      attempt.smtp.close();
      return undefined;
    });
    again.smtp.close();
  });

  it('closes the connection at the MAIL after maxMessagesPerSession transactions', async () => {
    const { smtp } = await open(node.smtpPort);
    await smtp.command('EHLO client.remote.test');
    for (let i = 0; i < 2; i++) {
      expect(await codes(smtp, ['MAIL FROM:<batch@remote.test>', 'RCPT TO:<alice@example.test>', 'DATA', `Subject: batch ${i}\r\n\r\nbody\r\n.`])).toEqual([250, 250, 354, 250]);
    }
    expect(await smtp.command('MAIL FROM:<batch@remote.test>')).toMatchObject({ code: 421, text: expect.stringContaining('too many messages in one session (at most 2)') });
    expect(await smtp.waitClosed()).toBe(true);
    await waitFor('both messages downstream', async () => (downstream.withSubject('batch 1').length === 1 && downstream.withSubject('batch 0').length === 1 ? true : undefined));
  });

  it('refuses recipients past maxRecipients per message and maxRecipientsPerSession per connection', async () => {
    const { smtp } = await open(node.smtpPort);
    await smtp.command('EHLO client.remote.test');
    const rcpt = 'RCPT TO:<alice@example.test>';
    expect(await codes(smtp, ['MAIL FROM:<many@remote.test>', rcpt, rcpt, rcpt])).toEqual([250, 250, 250, 250]);
    expect(await smtp.command(rcpt)).toMatchObject({ code: 452, text: expect.stringContaining('at most 3 per message') });
    expect(await codes(smtp, ['DATA', 'Subject: three recipients\r\n\r\nbody\r\n.'])).toEqual([354, 250]);
    // The fourth recipient of the connection is accepted, the fifth is over the session limit.
    expect(await codes(smtp, ['MAIL FROM:<many@remote.test>', rcpt])).toEqual([250, 250]);
    expect(await smtp.command('RCPT TO:<bob@example.test>')).toMatchObject({ code: 452, text: expect.stringContaining('in one session (at most 4)') });
    expect((await smtp.command('QUIT')).code).toBe(221);
  });

  it('closes the connection after maxCommandsPerSession commands of any kind', async () => {
    const { smtp } = await open(node.smtpPort);
    expect(await codes(smtp, ['EHLO client.remote.test', ...Array<string>(11).fill('NOOP')])).toEqual(Array<number>(12).fill(250));
    expect(await smtp.command('NOOP')).toMatchObject({ code: 421, text: expect.stringContaining('too many commands') });
    expect(await smtp.waitClosed()).toBe(true);
  });

  it('closes the connection at the maxUnknownCommands-th unrecognised command', async () => {
    const { smtp } = await open(node.smtpPort);
    await smtp.command('EHLO client.remote.test');
    const unknown = await codes(smtp, ['FOO', 'BAR bar']);
    expect(unknown.every((code) => code >= 500)).toBe(true);
    expect(await smtp.command('BAZ')).toMatchObject({ code: 421, text: expect.stringContaining('too many unrecognized commands') });
    expect(await smtp.waitClosed()).toBe(true);
  });

  it('answers 421 and closes after maxErrors refusals, a refusal at the end of DATA counting too', async () => {
    const { smtp } = await open(node.smtpPort);
    await smtp.command('EHLO client.remote.test');
    expect(await codes(smtp, ['MAIL FROM:<typo@remote.test>', 'RCPT TO:<alice@example.test>', 'DATA'])).toEqual([250, 250, 354]);
    expect((await smtp.command('.')).code).toBe(554); // empty message: refusal 1
    expect(await codes(smtp, ['MAIL FROM:<typo@remote.test>', 'RCPT TO:<nobody@example.test>'])).toEqual([250, 550]); // refusal 2
    expect(await smtp.command('RCPT TO:<noone@example.test>')).toMatchObject({ code: 421, text: expect.stringContaining('too many refused commands') });
    expect(await smtp.waitClosed()).toBe(true);
  });

  it('refuses messages to one recipient past the mail-bomb limit, from any client, and reports MAIL_BOMB', async () => {
    const send = async (clientIp: string, subject: string) => (await xclientTransaction(node.smtpPort, clientIp, `${subject.replace(/\W/g, '')}@sender.test`, 'bob@example.test', letter('sender@sender.test', subject))).rcpt;
    expect((await send('198.51.100.11', 'bomb one'))?.code).toBe(250);
    expect((await send('203.0.113.12', 'bomb two'))?.code).toBe(250);
    expect(await send('192.0.2.13', 'bomb three')).toMatchObject({ code: 450, text: expect.stringContaining('messages to this recipient exceeded') });

    const event = await waitFor('the MAIL_BOMB event', async () => (await nats.messageEvents('limits-node')).find((e) => e.symbols.some((s) => s.name === 'MAIL_BOMB')));
    expect(event).toMatchObject({ action: Action.ACTION_TEMPFAIL, envelope: { clientIp: '192.0.2.13', rcptTo: ['bob@example.test'] } });
    expect(event.symbols.find((s) => s.name === 'MAIL_BOMB')?.detail).toContain('bob@example.test: 3 in 600 s (limit 2)');
  });
});

describe('session limits: greeting delay and timeouts', () => {
  let nats: Nats;
  let node: ScanNode;

  beforeAll(async () => {
    nats = await Nats.start();
    // No trusted networks: loopback clients get the greeting delay like any internet client.
    node = await ScanNode.create('timeouts-node', nats.url, testPolicy(1, { smtp: { greetingDelayMs: 500, idleTimeoutMs: 1500, dataTimeoutMs: 2000, trustedNetworks: [] } }));
    await node.start();
  }, 120_000);

  afterAll(async () => {
    await node?.remove();
    await nats?.stop();
  });

  it('refuses a client that talks before the greeting', async () => {
    const smtp = await RawSmtp.connect(node.smtpPort);
    smtp.write('EHLO early.remote.test\r\nMAIL FROM:<early@remote.test>\r\n');
    expect(await smtp.reply()).toMatchObject({ code: 421, text: expect.stringContaining('talk too soon') });
    expect(await smtp.waitClosed()).toBe(true);
  });

  it('closes a connection idle for idleTimeoutMs', async () => {
    const { smtp, greeting } = await open(node.smtpPort);
    expect(greeting.code).toBe(220);
    expect((await smtp.command('EHLO idle.remote.test')).code).toBe(250);
    const idleFrom = performance.now();
    expect(await smtp.reply(10_000)).toMatchObject({ code: 421, text: expect.stringContaining('Timeout') });
    expect(performance.now() - idleFrom).toBeGreaterThanOrEqual(1400);
    expect(await smtp.waitClosed()).toBe(true);
  });

  it('ends DATA that is still trickling in after dataTimeoutMs, although the client is never idle', async () => {
    const { smtp } = await open(node.smtpPort);
    expect(await codes(smtp, ['EHLO slow.remote.test', 'MAIL FROM:<slow@remote.test>', 'RCPT TO:<alice@example.test>', 'DATA'])).toEqual([250, 250, 250, 354]);
    const started = performance.now();
    const trickle = setInterval(() => smtp.write('X-Trickle: one more line\r\n'), 300);
    try {
      expect(await smtp.reply(10_000)).toMatchObject({ code: 421, text: expect.stringContaining('4.4.2 Error: DATA not completed within 2000 ms') });
    } finally {
      clearInterval(trickle);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
    expect(await smtp.waitClosed()).toBe(true);
  });
});
