import type { PolicyInput } from '@moat/policy';
import nodemailer from 'nodemailer';
import { Action } from '@moat/proto/grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteRecorder } from '../harness/byte-recorder.js';
import { RawSmtp } from '../harness/raw-smtp.js';
import { sendMail } from '../harness/smtp-client.js';
import { waitFor } from '../harness/wait.js';
import { Downstream, Nats, ScanNode } from './support/scan-node.js';

// Issue 15 finding 1: the exact bytes sent after DATA, a dot between bare CRs.
const CR_DOT_CR = 'From: x@conf.test\r\nTo: alice@example.test\r\nSubject: t\r\n\r\nSTART\r\n\r.\r\r\nEND\r\n.\r\n';

/** The demo tenant relayed in plain text through RECORDERPORT, so the bytes the node sends can be read. */
function recordedPolicy(recorderPort: number, smtp: PolicyInput['smtp']): PolicyInput {
  return {
    domains: [{ name: 'example.test', downstream: { host: '127.0.0.1', port: recorderPort, tls: 'none' }, accounts: ['alice', 'bob'] }],
    delivery: { retryScheduleSeconds: [1], maxAgeSeconds: 3600, concurrencyPerDestination: 4, connectTimeoutMs: 2000 },
    attachments: { antivirus: { clamav: false } },
    smtp,
  };
}

/** Offsets of dots that a server reading CR, LF or CRLF as a line end would take for a line of its own. */
function lenientDotLines(data: string): number[] {
  const found: number[] = [];
  for (const match of data.matchAll(/[\r\n]\.[\r\n]/g)) found.push(match.index + 1);
  return found;
}

/** The bytes one recorded SMTP session sent between the 354 and the final dot of its (only) message. */
function dataSection(session: Buffer): string {
  const text = session.toString('latin1');
  const start = text.indexOf('DATA\r\n') + 'DATA\r\n'.length;
  return text.slice(start, text.lastIndexOf('\r\n.\r\n') + 2);
}

// Issue 15 findings 1 and 5: bare CRs never reach the next hop as they came, and a client outside the trusted
// networks cannot pipeline after the end of data (what smuggling needs); real nodes, a real downstream behind
// a relay that records every byte the node sends.
describe('scan node against SMTP smuggling', () => {
  let nats: Nats;
  let downstream: Downstream;
  let recorder: ByteRecorder;
  /** Default policy but no trusted network: bare CR refused, unauthorised pipelining refused. */
  let strict: ScanNode;
  /** `smtp.bareCr: normalise`, loopback trusted (as by default). */
  let lenient: ScanNode;

  beforeAll(async () => {
    nats = await Nats.start();
    downstream = await Downstream.start();
    recorder = await ByteRecorder.start(downstream.port);
    strict = await ScanNode.create('strict-node', nats.url, recordedPolicy(recorder.port, { trustedNetworks: [] }));
    lenient = await ScanNode.create('lenient-node', nats.url, recordedPolicy(recorder.port, { bareCr: 'normalise' }));
    await Promise.all([strict.start(), lenient.start()]);
  });
  afterAll(async () => {
    await strict?.remove();
    await lenient?.remove();
    await recorder?.stop();
    await downstream?.pause();
    await nats?.stop();
  });

  async function inData(port: number): Promise<RawSmtp> {
    const smtp = await RawSmtp.connect(port);
    expect((await smtp.reply()).code).toBe(220);
    expect((await smtp.command('EHLO client.remote.test')).code).toBe(250);
    expect((await smtp.command('MAIL FROM:<x@conf.test>')).code).toBe(250);
    expect((await smtp.command('RCPT TO:<alice@example.test>')).code).toBe(250);
    expect((await smtp.command('DATA')).code).toBe(354);
    return smtp;
  }

  const eventWith = (node: string, symbol: string) =>
    waitFor(`a ${symbol} event of ${node}`, async () => (await nats.messageEvents(node)).find((e) => e.symbols.some((s) => s.name === symbol)));

  it('refuses <CR>.<CR> and every other bare CR by default, and nothing reaches the next hop', async () => {
    const smtp = await inData(strict.smtpPort);
    smtp.write(CR_DOT_CR);
    const reply = await smtp.reply();
    expect(reply.code).toBe(554);
    expect(reply.text).toContain('bare CR');
    expect((await smtp.command('QUIT')).code).toBe(221);
    expect((await eventWith('strict-node', 'SMTP_BARE_CR')).action).toBe(Action.ACTION_REJECT);
    expect(recorder.received.filter((s) => s.includes('START'))).toEqual([]);
  });

  it('with bareCr normalise, relays the message with CRLF line ends and the dot stuffed: no lenient end of data', async () => {
    const smtp = await inData(lenient.smtpPort);
    smtp.write(CR_DOT_CR);
    expect((await smtp.reply()).code).toBe(250);
    expect((await smtp.command('QUIT')).code).toBe(221);
    const [delivered] = await waitFor('the delivery', async () => {
      const sessions = downstream.messages.filter((m) => m.raw.includes('START'));
      return sessions.length ? sessions : undefined;
    });
    // The next hop got one message, with the dot as a line of its own inside it and END after it.
    expect(delivered!.raw).toContain('START\r\n\r\n.\r\n\r\nEND\r\n');
    const [wire] = recorder.received.filter((s) => s.includes('START'));
    const bytes = wire!.toString('latin1');
    expect(bytes.match(/\r(?!\n)/g)).toBeNull();
    expect(bytes.match(/(?<!\r)\n/g)).toBeNull();
    const data = dataSection(wire!);
    expect(data).toContain('START\r\n\r\n..\r\n\r\nEND\r\n');
    expect(lenientDotLines(data)).toEqual([]);
  });

  it('refuses input pipelined after the end of data from an untrusted client: neither message is relayed', async () => {
    const smtp = await inData(strict.smtpPort);
    smtp.write('Subject: carrier\r\n\r\nfirst\r\n.\r\nMAIL FROM:<eve@evil.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsecond\r\n.\r\n');
    const reply = await smtp.reply();
    expect(reply.code).toBe(554);
    expect(reply.text).toContain('5.5.0 Error: SMTP protocol synchronization');
    expect(await smtp.waitClosed()).toBe(true);
    expect((await eventWith('strict-node', 'SMTP_UNAUTH_PIPELINING')).action).toBe(Action.ACTION_REJECT);
    await new Promise((r) => setTimeout(r, 1000));
    expect(downstream.withSubject('carrier')).toEqual([]);
    expect(downstream.withSubject('smuggled')).toEqual([]);
  });

  it('refuses a command pipelined after EHLO before its reply, and closes', async () => {
    const smtp = await RawSmtp.connect(strict.smtpPort);
    expect((await smtp.reply()).code).toBe(220);
    smtp.write('EHLO early.remote.test\r\nMAIL FROM:<early@remote.test>\r\n');
    const reply = await smtp.reply();
    expect(reply.code).toBe(554);
    expect(reply.text).toContain('synchronization');
    expect(await smtp.waitClosed()).toBe(true);
  });

  it('still takes legal pipelining (MAIL, RCPT, DATA in one group) and real clients from untrusted addresses', async () => {
    const smtp = await RawSmtp.connect(strict.smtpPort);
    expect((await smtp.reply()).code).toBe(220);
    expect((await smtp.command('EHLO group.remote.test')).code).toBe(250);
    smtp.write('MAIL FROM:<group@remote.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n');
    expect([(await smtp.reply()).code, (await smtp.reply()).code, (await smtp.reply()).code, (await smtp.reply()).code]).toEqual([250, 250, 250, 354]);
    expect((await smtp.command('Subject: grouped\r\n\r\nbody\r\n.')).code).toBe(250);
    expect((await smtp.command('QUIT')).code).toBe(221);
    expect((await sendMail(strict.smtpPort, { from: 'friend@remote.test', to: 'alice@example.test', subject: 'nodemailer' })).accepted).toBe(true);
    // STARTTLS gives the connection a new parser: the guard carries on over TLS.
    const tls = nodemailer.createTransport({ host: '127.0.0.1', port: strict.smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    try {
      await tls.sendMail({ envelope: { from: 'tls@remote.test', to: ['alice@example.test'] }, from: 'tls@remote.test', to: 'alice@example.test', subject: 'over tls', text: 'hi' });
    } finally {
      tls.close();
    }
    await waitFor('the three messages', async () => (['grouped', 'nodemailer', 'over tls'].every((subject) => downstream.withSubject(subject).length) ? true : undefined));
  });

  it('lets a trusted client pipeline after the end of data (the setting is for unauthenticated clients)', async () => {
    const smtp = await inData(lenient.smtpPort);
    smtp.write('Subject: trusted first\r\n\r\none\r\n.\r\nMAIL FROM:<relay@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n');
    expect([(await smtp.reply()).code, (await smtp.reply()).code, (await smtp.reply()).code, (await smtp.reply()).code]).toEqual([250, 250, 250, 354]);
    expect((await smtp.command('Subject: trusted second\r\n\r\ntwo\r\n.')).code).toBe(250);
    smtp.close();
    await waitFor('both messages', async () => (downstream.withSubject('trusted first').length && downstream.withSubject('trusted second').length ? true : undefined));
  });
});
