import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { RawSmtp, type SmtpReply } from '../harness/raw-smtp.js';

const MAX_BYTES = 100_000;

// Issue 2: the node is never an open relay, and malformed SMTP input gets clear replies without hurting the node.
describe('SMTP safety of a scan node', () => {
  let cluster: TestCluster;
  let port: number;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, smtp: { ...demo.smtp, maxMessageBytes: MAX_BYTES } }) });
    port = defined(cluster.ports.smtp[0], 'the SMTP port');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** A session up to MAIL FROM, ready for RCPT. */
  async function session(from = 'someone@remote.test'): Promise<RawSmtp> {
    const smtp = await RawSmtp.connect(port);
    expectReply(await smtp.reply(), 220);
    expectReply(await smtp.command('EHLO client.remote.test'), 250);
    expectReply(await smtp.command(`MAIL FROM:<${from}>`), 250);
    return smtp;
  }

  const expectReply = (reply: SmtpReply, code: number) => expect(reply.code, reply.text).toBe(code);

  const clearRefusal = (reply: SmtpReply) => {
    expect(reply.code).toBeGreaterThanOrEqual(500);
    expect(reply.code).toBeLessThan(600);
    // An enhanced status code or words, not an empty line.
    expect(reply.text.slice(4).trim().length).toBeGreaterThan(3);
  };

  it('refuses recipients outside the tenant, unknown accounts and address tricks', async () => {
    const smtp = await session();
    for (const rcpt of [
      'someone@elsewhere.test',
      'carol@example.test',
      'alice@example.test.evil.test',
      'alice%evil.test@example.test',
      'alice@evil.test@example.test',
      '@example.test:eve@evil.test',
      'eve@[127.0.0.1]',
      'alice',
    ]) {
      const reply = await smtp.command(`RCPT TO:<${rcpt}>`);
      expect(reply.code, `RCPT TO:<${rcpt}> answered ${reply.text}`).toBeGreaterThanOrEqual(500);
    }
    // With no accepted recipient there is nothing to send.
    expect((await smtp.command('DATA')).code).toBeGreaterThanOrEqual(500);
    smtp.close();
    const relayed = await cluster.sendMail(0, { from: 'alice@example.test', to: 'victim@elsewhere.test', subject: 'open relay?' });
    expect(relayed.accepted).toBe(false);
    expect(relayed.code).toBeGreaterThanOrEqual(500);
  });

  it('does not let bare-LF line ends smuggle a second message', async () => {
    const smtp = await session();
    expectReply(await smtp.command('RCPT TO:<alice@example.test>'), 250);
    expectReply(await smtp.command('DATA'), 354);
    smtp.write(
      'Subject: smuggle carrier\r\n\r\nfirst part\n.\nMAIL FROM:<eve@evil.test>\nRCPT TO:<bob@example.test>\nDATA\nSubject: smuggled\n\nsecond\n.\n\r\n.\r\n',
    );
    const reply = await smtp.reply();
    expect([250, 550, 554]).toContain(reply.code);
    expectReply(await smtp.command('QUIT'), 221);
    if (reply.code === 250) await cluster.waitForMailbox(1, (m) => m.subject === 'smuggle carrier');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await cluster.mailbox()).filter((m) => m.subject === 'smuggled')).toEqual([]);
  });

  it('answers overlong lines, NUL bytes and junk commands clearly', async () => {
    const smtp = await RawSmtp.connect(port);
    expectReply(await smtp.reply(), 220);
    clearRefusal(await smtp.command(`EHLO ${'a'.repeat(5000)}`));
    expect(smtp.closed).toBe(false);
    clearRefusal(await smtp.command(Buffer.from('MAIL FROM:<a\0b@remote.test>')));
    clearRefusal(await smtp.command('\x01\x02\xff junk'));
    clearRefusal(await smtp.command('RCPT TO:<alice@example.test>'));
    smtp.close();

    const data = await session();
    expectReply(await data.command('RCPT TO:<alice@example.test>'), 250);
    expectReply(await data.command('DATA'), 354);
    data.write(`Subject: long line and NUL\r\n\r\n${'x'.repeat(20_000)}\r\nnul:\0:end\r\n.\r\n`);
    const reply = await data.reply();
    expect(reply.code === 250 || (reply.code >= 500 && reply.code < 600)).toBe(true);
    data.close();
  });

  it('answers a pipelined burst with one reply per command, capping recipients', async () => {
    const smtp = await RawSmtp.connect(port);
    expectReply(await smtp.reply(), 220);
    const rcpts = Array.from({ length: 150 }, () => 'RCPT TO:<bob@example.test>\r\n').join('');
    smtp.write(`EHLO burst.remote.test\r\nMAIL FROM:<burst@remote.test>\r\n${rcpts}DATA\r\nSubject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n`);
    const replies: SmtpReply[] = [];
    for (let i = 0; i < 2 + 150 + 3; i++) replies.push(await smtp.reply());
    expect(replies[0]?.code).toBe(250);
    expect(replies[1]?.code).toBe(250);
    const rcptCodes = replies.slice(2, 152).map((r) => r.code);
    expect(rcptCodes.filter((c) => c === 250).length).toBeLessThanOrEqual(100);
    expect(rcptCodes.every((c) => c === 250 || (c >= 400 && c < 600))).toBe(true);
    expect(replies[152]?.code).toBe(354);
    expect(replies[153]?.code).toBe(250);
    expect(replies[154]?.code).toBe(221);
  });

  it('answers an empty message and an oversized one clearly', async () => {
    const empty = await session();
    expectReply(await empty.command('RCPT TO:<alice@example.test>'), 250);
    expectReply(await empty.command('DATA'), 354);
    const emptyReply = await empty.command('.');
    expect(emptyReply.code === 250 || (emptyReply.code >= 500 && emptyReply.code < 600)).toBe(true);
    empty.close();

    const declared = await RawSmtp.connect(port);
    expectReply(await declared.reply(), 220);
    expectReply(await declared.command('EHLO big.remote.test'), 250);
    const sizeReply = await declared.command(`MAIL FROM:<big@remote.test> SIZE=${MAX_BYTES * 2}`);
    expectReply(sizeReply, 552);
    declared.close();

    const big = await session('big@remote.test');
    expectReply(await big.command('RCPT TO:<alice@example.test>'), 250);
    expectReply(await big.command('DATA'), 354);
    const line = `${'y'.repeat(76)}\r\n`;
    big.write(`Subject: oversized\r\n\r\n${line.repeat(Math.ceil((MAX_BYTES * 2) / line.length))}.\r\n`);
    const bigReply = await big.reply(30_000);
    expectReply(bigReply, 552);
    big.close();
    expect((await cluster.mailbox()).filter((m) => m.subject === 'oversized')).toEqual([]);
  });

  it('still relays normally after all of that', async () => {
    expect(cluster.node(0).state).toBe('running');
    const ok = await cluster.sendMail(0, { from: 'friend@remote.test', to: 'alice@example.test', subject: 'after the abuse' });
    expect(ok.accepted).toBe(true);
    await cluster.waitForMailbox(1, (m) => m.subject === 'after the abuse');
  });
});
