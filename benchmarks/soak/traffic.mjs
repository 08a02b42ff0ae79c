// The soak's mixed traffic: one function per kind of SMTP session, each sending messages that carry a unique
// token in their Subject, and recording what the node answered for each token (accepted = 250 after DATA).
// Hostile kinds (bombs, oversized and deeply nested messages, malformed MIME, smuggling sequences, slow and
// dropped clients) are mixed with clean mail, spam and ordinary attachments.
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import { buildOverlappingZip, buildZip } from '@moat/content/testing';
import { replyReader } from '../relay/lib/latency.mjs';
import { compressZeros } from '../../test/content/support/zeros.ts';

const RCPT = 'alice@example.test';
/** A token: the run's prefix and a sequence number; found in the Subject of every message the soak sends. */
export const TOKEN = /\bsoak-[0-9a-z]+-\d+\b/g;

/** One SMTP connection: commands and their replies in order (multi-line replies joined). */
export class Session {
  constructor(socket) {
    this.socket = socket;
    this.next = replyReader(socket);
  }

  static open(port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port, noDelay: true });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no activity for ${timeoutMs} ms`)));
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve(new Session(socket));
      });
    });
  }

  write(data) {
    this.socket.write(data, 'latin1');
  }

  reply() {
    return this.next();
  }

  async command(line) {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  async quit() {
    this.write('QUIT\r\n');
    await this.reply().catch(() => undefined);
    this.socket.destroy();
  }

  drop() {
    this.socket.destroy();
  }
}

/** Lines starting with a dot get another (RFC 5321 4.5.2), then the end-of-data line. */
const dotStuffed = (body) => `${body.replace(/^\./gm, '..')}\r\n.\r\n`;

function headers(token, kind, extra = []) {
  return [`From: <sender@client.test>`, `To: <${RCPT}>`, `Subject: soak ${token} ${kind}`, `Message-ID: <${token}@client.test>`, 'Date: Mon, 07 Dec 2026 20:00:00 +0000', ...extra].join('\r\n');
}

const base64Lines = (buffer) => buffer.toString('base64').replace(/.{76}/g, '$&\r\n');

function withAttachment(token, kind, [name, base64], text = 'see the attachment') {
  const boundary = `=_soak_${token}`;
  return [
    headers(token, kind, ['MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`]),
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    `--${boundary}`,
    `Content-Type: application/octet-stream; name="${name}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${name}"`,
    '',
    base64,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

const CLEAN_TEXT = ['Hello Alice,', '', 'the minutes of Tuesday are attached to the wiki page; the next review is on Friday at ten.', '.a line that starts with a dot', 'Regards,', 'Bob', ''].join('\r\n');
const SPAM_TEXT = [
  'CONGRATULATIONS!!! You have WON $1,000,000 USD in our international lottery.',
  'Click here NOW to claim your prize: http://claim-prize.example.invalid/win?id=1 and http://bit.ly/xx',
  'Cheap viagra, cialis, replica watches, work from home and earn $$$ fast. 100% free, no risk, act now!',
  'Unsubscribe: http://unsubscribe.example.invalid/',
  '',
].join('\r\n');

/**
 * The attachments and bombs, built once per run (compressing a gigabyte of zeros takes seconds): a zip bomb of
 * 5,000 overlapping 100 MiB entries, a gzip of 1 GiB of zeros, a zip member that lies about its size, a zip
 * nested 12 deep, and ordinary small files.
 */
export async function buildSamples() {
  const hundredMiB = 100 * 1024 * 1024;
  const zeros100 = await compressZeros(hundredMiB, false);
  const zeros1G = await compressZeros(1024 * 1024 * 1024, false);
  let nested = buildZip([{ name: 'payload.txt', data: Buffer.from('deep inside') }]);
  for (let level = 1; level < 12; level++) nested = buildZip([{ name: `level${level}.zip`, data: nested }]);
  return {
    bombs: [
      ['overlap.zip', buildOverlappingZip(zeros100, hundredMiB, crc32(Buffer.alloc(0)), 5000)],
      ['zeros.gz', await compressZeros(1024 * 1024 * 1024, true)],
      ['liar.zip', buildOverlappingZip(zeros1G, 1024, 0, 1)],
    ].map(([name, file]) => [name, base64Lines(file)]),
    nested: base64Lines(nested),
    files: [
      ['report.zip', buildZip([{ name: 'report.txt', data: Buffer.from('quarterly figures\n'.repeat(200)) }, { name: 'notes.csv', data: Buffer.from('a,b,c\n1,2,3\n') }])],
      ['photo.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(20_000, 3)])],
      ['notes.txt', Buffer.from('plain notes\n'.repeat(500))],
    ].map(([name, file]) => [name, base64Lines(file)]),
  };
}

/**
 * The kinds of session and their weights. Each gets (ctx) with ctx.token() for a new token, ctx.record(token,
 * outcome, detail) and ctx.open() for a connection, and runs one session.
 */
export const KINDS = [
  ['clean', 28, cleanSession],
  ['spam', 10, (ctx) => oneMessage(ctx, (t) => `${headers(t, 'spam', ['Content-Type: text/plain'])}\r\n\r\n${SPAM_TEXT}`)],
  ['attachment', 12, (ctx) => oneMessage(ctx, (t) => withAttachment(t, 'attachment', ctx.pick(ctx.samples.files)))],
  ['bomb', 5, (ctx) => oneMessage(ctx, (t) => withAttachment(t, 'bomb', ctx.pick(ctx.samples.bombs)))],
  ['nested', 4, (ctx) => oneMessage(ctx, (t) => (ctx.random(2) ? withAttachment(t, 'nested', ['nested.zip', ctx.samples.nested]) : nestedMultipart(t, 200)))],
  ['oversized', 3, oversizedSession],
  ['malformed', 10, (ctx) => oneMessage(ctx, (t) => ctx.pick(MALFORMED)(t))],
  ['smuggling', 8, smugglingSession],
  ['slow', 6, slowSession],
  ['dropped', 6, droppedSession],
  ['pipelined', 8, pipelinedSession],
];

/** MAIL, RCPT, DATA and the message; records the token's outcome from the final reply. */
async function transaction(ctx, s, token, message) {
  const mail = await s.command('MAIL FROM:<sender@client.test>');
  if (mail.code !== 250) return ctx.record(token, 'refused', `MAIL ${mail.code}`);
  const rcpt = await s.command(`RCPT TO:<${RCPT}>`);
  if (rcpt.code !== 250) {
    await s.command('RSET');
    return ctx.record(token, 'refused', `RCPT ${rcpt.code}`);
  }
  const data = await s.command('DATA');
  if (data.code !== 354) return ctx.record(token, 'refused', `DATA ${data.code}`);
  s.write(dotStuffed(message));
  const end = await s.reply();
  ctx.record(token, end.code === 250 ? 'accepted' : 'refused', String(end.code));
}

async function greeted(ctx) {
  const s = await ctx.open();
  const greeting = await s.reply();
  if (greeting.code !== 220) throw new Error(`greeting ${greeting.text}`);
  const ehlo = await s.command('EHLO client.test');
  if (ehlo.code !== 250) throw new Error(`EHLO ${ehlo.text}`);
  return s;
}

async function oneMessage(ctx, build) {
  const s = await greeted(ctx);
  const token = ctx.token();
  await transaction(ctx, s, token, build(token));
  await s.quit();
}

/** One to three clean messages on one connection. */
async function cleanSession(ctx) {
  const s = await greeted(ctx);
  for (let i = 1 + ctx.random(3); i > 0; i--) {
    const token = ctx.token();
    await transaction(ctx, s, token, `${headers(token, 'clean', ['Content-Type: text/plain; charset=utf-8'])}\r\n\r\n${CLEAN_TEXT}`);
  }
  await s.quit();
}

/** Three messages in one write (RFC 2920): every reply must come, in order. */
async function pipelinedSession(ctx) {
  const s = await greeted(ctx);
  const tokens = [ctx.token(), ctx.token(), ctx.token()];
  for (const token of tokens) {
    s.write(`MAIL FROM:<sender@client.test>\r\nRCPT TO:<${RCPT}>\r\nDATA\r\n`);
    const [mail, rcpt, data] = [await s.reply(), await s.reply(), await s.reply()];
    if (mail.code !== 250 || rcpt.code !== 250 || data.code !== 354) {
      ctx.record(token, 'refused', `${mail.code}/${rcpt.code}/${data.code}`);
      if (data.code === 354) s.write('.\r\n');
      continue;
    }
    s.write(dotStuffed(`${headers(token, 'pipelined')}\r\n\r\n${CLEAN_TEXT}`));
    const end = await s.reply();
    ctx.record(token, end.code === 250 ? 'accepted' : 'refused', String(end.code));
  }
  await s.quit();
}

function nestedMultipart(token, depth) {
  let body = 'innermost text\r\n';
  for (let level = depth; level > 0; level--) body = `Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n--b${level}\r\n${body}\r\n--b${level}--\r\n`;
  return `${headers(token, 'nested', ['MIME-Version: 1.0'])}\r\n${body}`;
}

const MALFORMED = [
  // A boundary that never closes, a part without headers, and garbage base64.
  (t) => `${headers(t, 'malformed', ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="open"'])}\r\n\r\n--open\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64***\r\n--open\r\n\r\nno headers here\r\n`,
  // Header lines without a colon and 8-bit bytes in the header.
  (t) => `${headers(t, 'malformed')}\r\nthis is not a header\r\nX-Eight-Bit: caf\xe9 \xff\xfe\r\n\r\nbody\r\n`,
  // 3,000 parts, a 200 KB header field and a 1 MB line.
  (t) => `${headers(t, 'malformed', ['Content-Type: multipart/mixed; boundary=p'])}\r\n\r\n${Array.from({ length: 3000 }, (_, i) => `--p\r\nContent-Type: text/plain\r\n\r\npart ${i}`).join('\r\n')}\r\n--p--\r\n`,
  (t) => `${headers(t, 'malformed', [`X-Long: ${'h'.repeat(200_000)}`])}\r\n\r\nbody\r\n`,
  (t) => `${headers(t, 'malformed', ['Content-Type: text/plain'])}\r\n\r\n${'w'.repeat(1024 * 1024)}\r\n`,
  // Quoted-printable and charset nonsense, an encoded-word that never ends, a content type without a subtype.
  (t) => `${headers(t, 'malformed', ['Content-Type: text/html; charset="x-unknown-\x01"', 'Content-Transfer-Encoding: quoted-printable', 'X-Word: =?utf-8?B?AAAA'])}\r\n\r\n=ZZ=4=\r\n<html><a href="http://x.invalid/">=\r\n`,
  (t) => `${headers(t, 'malformed', ['Content-Type: application', 'Content-Disposition: attachment; filename*=utf-8\'\'%ZZ%'])}\r\n\r\n\x00\x01binary?\r\n`,
];

/**
 * SMTP smuggling: an end of data written with bare LF or bare CR around the dot, followed by a second message
 * whose own token must never reach the mailbox (the node refuses the carrier, or relays it whole as one message
 * with the inner lines still inside its body; the inner token is never accepted by itself).
 */
const SMUGGLE_ENDS = ['\n.\n', '\r\n.\n', '\n.\r\n', '\r.\r\n', '\r\n.\r'];

async function smugglingSession(ctx) {
  const s = await greeted(ctx);
  const carrier = ctx.token();
  const inner = ctx.token();
  ctx.record(inner, 'smuggled', 'inner message');
  const end = ctx.pick(SMUGGLE_ENDS);
  const mail = await s.command('MAIL FROM:<sender@client.test>');
  const rcpt = await s.command(`RCPT TO:<${RCPT}>`);
  const data = await s.command('DATA');
  if (mail.code !== 250 || rcpt.code !== 250 || data.code !== 354) {
    ctx.record(carrier, 'refused', `${mail.code}/${rcpt.code}/${data.code}`);
    return s.quit();
  }
  s.write(`${headers(carrier, 'smuggling')}\r\n\r\ncarrier${end}MAIL FROM:<eve@evil.test>\r\nRCPT TO:<${RCPT}>\r\nDATA\r\n${headers(inner, 'smuggled')}\r\n\r\nsmuggled\r\n.\r\n`);
  const reply = await s.reply();
  ctx.record(carrier, reply.code === 250 ? 'accepted' : 'refused', String(reply.code));
  // A node that split the stream would answer the smuggled commands too; the check is the mailbox's: the inner
  // token must never arrive. The connection is dropped rather than read further.
  s.drop();
}

/** A client that sends its commands and message in small pieces with pauses (a few seconds in all). */
async function slowSession(ctx) {
  const s = await ctx.open();
  await s.reply();
  const pause = () => sleep(100 + ctx.random(400));
  for (const line of ['EHLO slow.client.test', 'MAIL FROM:<sender@client.test>', `RCPT TO:<${RCPT}>`, 'DATA']) {
    s.write(line.slice(0, 4));
    await pause();
    s.write(`${line.slice(4)}\r\n`);
    const reply = await s.reply();
    if (reply.code >= 400) throw new Error(`${line.slice(0, 4)} answered ${reply.code}`);
  }
  const token = ctx.token();
  const message = dotStuffed(`${headers(token, 'slow')}\r\n\r\n${CLEAN_TEXT}`);
  for (let at = 0; at < message.length; at += 40) {
    s.write(message.slice(at, at + 40));
    if (at % 200 === 0) await pause();
  }
  const end = await s.reply();
  ctx.record(token, end.code === 250 ? 'accepted' : 'refused', String(end.code));
  await s.quit();
}

/** A connection dropped mid-session: after the greeting, after RCPT or half-way through DATA. */
async function droppedSession(ctx) {
  const s = await greeted(ctx);
  const token = ctx.token();
  const stage = ctx.random(3);
  if (stage > 0) {
    await s.command('MAIL FROM:<sender@client.test>');
    await s.command(`RCPT TO:<${RCPT}>`);
  }
  if (stage > 1) {
    await s.command('DATA');
    s.write(`${headers(token, 'dropped')}\r\n\r\n${CLEAN_TEXT.repeat(20)}`);
    await sleep(50);
  }
  ctx.record(token, 'dropped', `stage ${stage}`);
  s.drop();
}

/** Larger than the policy's maxMessageBytes: refused with 552 after the whole message was read. */
async function oversizedSession(ctx) {
  const s = await greeted(ctx);
  const token = ctx.token();
  await s.command('MAIL FROM:<sender@client.test>');
  await s.command(`RCPT TO:<${RCPT}>`);
  const data = await s.command('DATA');
  if (data.code !== 354) {
    ctx.record(token, 'refused', `DATA ${data.code}`);
    return s.quit();
  }
  s.write(`${headers(token, 'oversized')}\r\n\r\n`);
  const chunk = `${'o'.repeat(998)}\r\n`.repeat(1024);
  for (let sent = 0; sent < ctx.oversizeBytes; sent += chunk.length) {
    if (!s.socket.write(chunk, 'latin1')) await new Promise((resolve) => s.socket.once('drain', resolve));
  }
  s.write('.\r\n');
  const end = await s.reply();
  ctx.record(token, end.code === 250 ? 'accepted' : 'refused', String(end.code));
  await s.quit();
}
