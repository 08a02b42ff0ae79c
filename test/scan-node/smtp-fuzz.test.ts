import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSmtp, type SmtpReply } from '../harness/raw-smtp.js';
import { seededRandom } from '../harness/random.js';
import { waitFor } from '../harness/wait.js';
import { startNodeRig, stopNodeRig, testPolicy, type NodeRig, type Received } from './support/scan-node.js';

// Issue 15: a seeded fuzzer of the node's SMTP front end. Random and mutated command sequences (pipelined,
// split at random byte boundaries, bad commands, NUL, 8-bit and bare CR/LF bytes, long lines, BDAT, dropped
// connections) and DATA bodies (dot lines, bare CR/LF, NUL, long lines, oversized). It checks that the node stays
// up, that every command line gets exactly one reply, in order (a HELP after each transaction must answer 214
// next), and that every relayed message is what the client sent (dot-unstuffed, CRLF-normalised) behind the
// header fields the node adds, on the envelope the node answered 250 to. MOAT_FUZZ_SEED replays a run.
const SEED = Number(process.env['MOAT_FUZZ_SEED'] ?? 15);
const BUDGET_MS = 40_000;
const MAX_BYTES = 64 * 1024;
const RECIPIENTS = ['alice@example.test', 'bob@example.test'];

const bytes = (text: string) => Buffer.from(text, 'latin1');
const text = (data: Buffer) => data.toString('latin1');
/** smtp-server's command name for a line (the first word, upper-cased). */
const commandName = (line: string) => (line.split(' ')[0] ?? '').toUpperCase();

interface Expected {
  token: string;
  mailFrom: string | undefined;
  rcptTo: string[] | undefined;
  /** The message as the client sent it (the bytes between DATA's 354 and the final dot, still dot-stuffed). */
  sent: string;
  transcript: string[];
}

class Fuzzer {
  readonly expected = new Map<string, Expected>();
  readonly counts = { sessions: 0, commands: 0, messages: 0, accepted: 0, refused: 0, dropped: 0, closedByNode: 0 };
  private readonly pick = <T>(list: readonly T[]): T => list[this.int(list.length)] as T;
  private tokens = 0;

  constructor(
    private readonly port: number,
    private readonly random: () => number,
  ) {}

  int(below: number): number {
    return Math.floor(this.random() * below);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  /** One SMTP session; throws with the session's transcript when the node breaks a rule. */
  async session(): Promise<void> {
    const number = ++this.counts.sessions;
    const transcript: string[] = [`session ${number} (seed ${SEED})`];
    const smtp = await RawSmtp.connect(this.port);
    const fail = (why: string): never => {
      smtp.close();
      throw new Error(`${why}\n${transcript.slice(-40).join('\n')}`);
    };
    try {
      const greeting = await smtp.reply();
      transcript.push(`S: ${greeting.text}`);
      if (greeting.code !== 220) fail('no 220 greeting');
      let envelope: { mailFrom: string | undefined; rcptTo: string[] | undefined } = { mailFrom: undefined, rcptTo: [] };
      for (let step = 0, steps = 1 + this.int(10); step < steps; step++) {
        if (this.chance(0.04)) {
          transcript.push('C: (drops the connection)');
          this.counts.dropped++;
          smtp.close();
          return;
        }
        const lines = this.commandGroup();
        const wire = lines.map((l) => `${l}\r\n`).join('');
        // Every LF ends a command line for the server (bare LF too), so each gets a reply.
        const sentLines = wire.split(/\r?\n/).slice(0, -1);
        transcript.push(...sentLines.map((l) => `C: ${JSON.stringify(l.length > 120 ? `${l.slice(0, 120)}…(${l.length})` : l)}`));
        await this.send(smtp, bytes(wire));
        this.counts.commands += sentLines.length;
        const replies: SmtpReply[] = [];
        for (const line of sentLines) {
          const reply = (await this.reply(smtp, transcript, fail)) ?? fail(`closed without a 421 after ${replies.length} of ${sentLines.length} replies`);
          // The node may end a session (too many errors, an overlong line): a 421, then it closes.
          if (reply.code === 421) {
            if (!(await smtp.waitClosed())) fail('421 without closing');
            this.counts.closedByNode++;
            return;
          }
          replies.push(reply);
          envelope = track(envelope, line, reply);
        }
        const last = replies.at(-1);
        if (last?.code === 221) {
          if (!(await smtp.waitClosed())) fail('221 without closing');
          return;
        }
        if (last?.code === 354) {
          envelope = await this.message(smtp, envelope, transcript, fail);
          if (smtp.closed) return;
        }
      }
      const quit = await smtp.command('QUIT').catch(() => undefined);
      transcript.push(`C: QUIT\nS: ${quit?.text ?? '(closed)'}`);
      if (quit && quit.code !== 221 && quit.code !== 421) fail('QUIT not answered 221');
    } finally {
      smtp.close();
    }
  }

  /** Writes DATA in random pieces, so that the node's parser sees every split of lines and dot sequences. */
  private async send(smtp: RawSmtp, data: Buffer): Promise<void> {
    if (this.chance(0.5)) return smtp.write(data);
    for (let at = 0; at < data.length; ) {
      const size = 1 + this.int(this.chance(0.3) ? 8 : 2000);
      smtp.write(data.subarray(at, at + size));
      at += size;
      if (this.chance(0.2)) await new Promise((resolve) => setTimeout(resolve, this.int(15)));
    }
  }

  private async reply(smtp: RawSmtp, transcript: string[], fail: (why: string) => never): Promise<SmtpReply | undefined> {
    try {
      const reply = await smtp.reply(15_000);
      transcript.push(`S: ${reply.text.slice(0, 200)}`);
      return reply;
    } catch (err) {
      if (smtp.closed) {
        transcript.push('S: (closed)');
        return undefined;
      }
      return fail(`no reply: ${(err as Error).message}`);
    }
  }

  /** The message after a 354: its reply, then HELP, whose 214 must be the very next reply. */
  private async message(smtp: RawSmtp, envelope: { mailFrom: string | undefined; rcptTo: string[] | undefined }, transcript: string[], fail: (why: string) => never) {
    const token = `fuzz-${SEED}-${++this.tokens}`;
    const sent = this.body(token);
    this.counts.messages++;
    transcript.push(`C: (message ${token}, ${sent.length} bytes${/\r(?!\n)|(?<!\r)\n/.test(sent) ? ', with bare CR/LF' : ''})`);
    await this.send(smtp, bytes(`${sent}.\r\n`));
    const reply = (await this.reply(smtp, transcript, fail)) ?? fail('closed without answering the message');
    if (reply.code === 421) {
      await smtp.waitClosed();
      return envelope;
    }
    if (reply.code === 250) {
      this.counts.accepted++;
      this.expected.set(token, { token, ...envelope, sent, transcript: transcript.slice(-30) });
    } else {
      this.counts.refused++;
      if (reply.code < 400) fail(`the message got ${reply.code}`);
    }
    const help = await this.reply(smtp, (smtp.write('HELP\r\n'), transcript), fail);
    if (help?.code === 421) await smtp.waitClosed();
    else if (help && help.code !== 214) fail(`HELP after the message answered ${help.code}: replies out of order`);
    return { mailFrom: undefined, rcptTo: [] };
  }

  /**
   * One to six command lines sent in one go; DATA and QUIT only last (RFC 2920), STARTTLS and XCLIENT never.
   * A third of the groups are a whole transaction (MAIL, RCPTs, DATA), so that many messages reach DATA.
   */
  private commandGroup(): string[] {
    if (this.chance(0.35)) {
      const rcpts = Array.from({ length: 1 + this.int(2) }, () => `RCPT TO:<${this.pick(RECIPIENTS)}>`);
      return [...(this.chance(0.3) ? ['EHLO client.remote.test'] : []), `MAIL FROM:<sender${this.int(3)}@remote.test>`, ...rcpts, 'DATA'];
    }
    const size = this.chance(0.4) ? 1 : 2 + this.int(5);
    const lines: string[] = [];
    for (let i = 0; i < size; i++) {
      const line = this.chance(0.3) ? this.mutate(this.validCommand()) : this.validCommand();
      const name = commandName(line);
      if (['STARTTLS', 'XCLIENT', 'XFORWARD', 'AUTH'].includes(name)) continue;
      // A bare LF inside a line makes two lines for the server: DATA or QUIT may hide in either part.
      const parts = line.split('\n').map((p) => commandName(p.replace(/\r$/, '')));
      if (parts.some((p) => ['DATA', 'QUIT', 'STARTTLS', 'XCLIENT', 'XFORWARD', 'AUTH'].includes(p))) continue;
      lines.push(line);
    }
    const end = this.int(10);
    if (end < 4) lines.push('DATA');
    else if (end === 4) lines.push('QUIT');
    return lines.length ? lines : ['NOOP'];
  }

  private validCommand(): string {
    return this.pick([
      () => `EHLO client${this.int(5)}.remote.test`,
      () => 'HELO client.remote.test',
      () => `MAIL FROM:<sender${this.int(3)}@remote.test>`,
      () => 'MAIL FROM:<>',
      () => `MAIL FROM:<sender@remote.test> SIZE=${this.int(MAX_BYTES * 2)}`,
      () => `RCPT TO:<${this.pick(RECIPIENTS)}>`,
      () => `RCPT TO:<${this.pick(RECIPIENTS)}>`,
      () => 'RCPT TO:<nobody@example.test>',
      () => 'RCPT TO:<someone@elsewhere.test>',
      () => 'RSET',
      () => 'NOOP',
      () => 'VRFY alice',
      () => 'HELP',
      () => `BDAT ${this.int(100)}${this.chance(0.5) ? ' LAST' : ''}`,
      () => 'XYZZY',
      () => '',
    ])();
  }

  /** Flips, inserts or deletes bytes, changes case, or makes the line long. */
  private mutate(line: string): string {
    const at = this.int(line.length + 1);
    switch (this.int(7)) {
      case 0:
        return line.slice(0, at) + this.pick(['\0', '\r', '\n', '\xff', '\x1b', ' ', ':', '<', '>', '\t']) + line.slice(at);
      case 1:
        return line.slice(0, at) + line.slice(at + 1 + this.int(4));
      case 2:
        return line.toLowerCase();
      case 3:
        return `${line} ${'x'.repeat(this.chance(0.1) ? 40_000 : this.int(2000))}`;
      case 4:
        return line.slice(0, at) + String.fromCharCode(this.int(256)) + line.slice(at + 1);
      case 5:
        return `${line}${line}`;
      default:
        return line.replace(/[<>]/g, '');
    }
  }

  /** A message: headers with the token, body lines of every troublesome kind, dot-stuffed as a client does. */
  private body(token: string): string {
    const lines = [`X-Fuzz-Token: ${token}`, 'From: <sender@remote.test>', `Subject: fuzz ${token}`, ''];
    for (let i = 0, n = this.int(30); i < n; i++) {
      lines.push(
        this.pick([
          () => 'plain text line',
          () => '.',
          () => '..',
          () => '.leading dot',
          () => '...three dots',
          () => '',
          () => ' ',
          () => `caf\xe9 8-bit \xff\xfe`,
          () => 'y'.repeat(this.int(5000)),
          () => 'MAIL FROM:<eve@evil.test>',
          () => 'DATA',
        ])(),
      );
    }
    // Half the messages carry what a relay must not pass on as it is: bare CR or LF (dot lines behind them), NUL.
    for (let i = this.chance(0.5) ? 1 + this.int(2) : 0; i > 0; i--) {
      const trouble = this.pick([`bare${this.pick(['\r', '\n', '\n.\n', '\r\n.\r', '\n.\r\n', '\r.\r', '\n..'])}inside`, 'a NUL \0 byte']);
      lines.splice(4 + this.int(lines.length - 3), 0, trouble);
    }
    if (this.chance(0.04)) lines.push(...Array.from({ length: 1200 }, () => 'z'.repeat(76)));
    return lines.map((l) => `${l.startsWith('.') ? '.' : ''}${l}\r\n`).join('');
  }
}

/** The envelope after LINE got REPLY: known while every accepted MAIL/RCPT was one of our own, undefined otherwise. */
function track(envelope: { mailFrom: string | undefined; rcptTo: string[] | undefined }, line: string, reply: SmtpReply) {
  const name = commandName(line);
  if (reply.code === 250 && ['RSET', 'EHLO', 'HELO'].includes(name)) return { mailFrom: undefined, rcptTo: [] };
  if (reply.code !== 250) return envelope;
  const mail = /^MAIL FROM:<([^<>\s]*)>( SIZE=\d+)?$/.exec(line);
  if (name === 'MAIL') return { mailFrom: mail ? mail[1] : undefined, rcptTo: mail ? [] : undefined };
  const rcpt = /^RCPT TO:<([^<>\s]+)>$/.exec(line);
  if (name === 'RCPT') return { ...envelope, rcptTo: rcpt && envelope.rcptTo ? [...envelope.rcptTo, rcpt[1] ?? ''] : undefined };
  return envelope;
}

const normalise = (s: string) => s.replace(/\r\n|\r|\n/g, '\r\n');
const unstuffCrlf = (s: string) => s.replace(/(^|\r\n)\./g, '$1');
const unstuffLf = (s: string) => s.replace(/(^|\n)\./g, '$1');

/** What the relay may carry for a message the client sent: unstuffed and CRLF-normalised (either order). */
function allowedBodies(sent: string): Set<string> {
  return new Set([normalise(unstuffCrlf(sent)), unstuffCrlf(normalise(sent)), normalise(unstuffLf(sent))]);
}

/** Why a relayed message breaks the oracle, or undefined when it is what policy allows. */
function relayProblem(relayed: Received, expected: Expected): string | undefined {
  const raw = text(relayed.bytes);
  if (/\r(?!\n)|(?<!\r)\n/.test(raw)) return 'bare CR or LF in the relayed bytes';
  const body = [...allowedBodies(expected.sent)].find((b) => raw.endsWith(b));
  if (body === undefined) return 'the relayed bytes are not the message the client sent';
  const added = raw.slice(0, raw.length - body.length);
  const addedLines = added.split('\r\n').slice(0, -1);
  if (added !== '' && (!added.endsWith('\r\n') || addedLines.some((l) => !/^[!-9;-~]+:|^[ \t]/.test(l)))) return `the node added more than header fields: ${JSON.stringify(added.slice(0, 300))}`;
  if (expected.mailFrom !== undefined && relayed.mailFrom !== expected.mailFrom) return `relayed from <${relayed.mailFrom}>, the client's MAIL was <${expected.mailFrom}>`;
  if (expected.rcptTo !== undefined && [...relayed.rcptTo].sort().join() !== [...new Set(expected.rcptTo)].sort().join()) return `relayed to ${relayed.rcptTo.join()}, the client's accepted RCPTs were ${expected.rcptTo.join()}`;
  return undefined;
}

const tokenOf = (relayed: Received) => /^X-Fuzz-Token: (\S+)\r$/m.exec(text(relayed.bytes))?.[1];

describe('SMTP front end fuzzing', () => {
  let rig: NodeRig;

  beforeAll(async () => {
    rig = await startNodeRig('fuzz-node', (port) =>
      testPolicy(port, {
        smtp: { maxMessageBytes: MAX_BYTES, maxRecipients: 5 },
        // Scores never decide here: a message the node accepts is relayed, so the relay oracle sees every one.
        thresholds: { tag: 1000, quarantine: 1000, reject: 1000 },
      }),
    );
  });
  afterAll(() => stopNodeRig(rig));

  it(`keeps order, stays up and relays only what the client sent (seed ${SEED})`, { timeout: BUDGET_MS + 90_000 }, async () => {
    const fuzzer = new Fuzzer(rig.node.smtpPort, seededRandom(SEED));
    const started = Date.now();
    // Three clients at once, each running sessions one after another until the time budget is spent.
    await Promise.all(
      [0, 1, 2].map(async () => {
        while (Date.now() - started < BUDGET_MS) await fuzzer.session();
      }),
    );
    expect(rig.node.child?.process.exitCode, rig.node.output).toBeNull();
    expect(fuzzer.counts.accepted).toBeGreaterThan(10);
    expect(fuzzer.counts.refused).toBeGreaterThan(10);

    const relayed = await waitFor(
      `${fuzzer.expected.size} relayed messages`,
      async () => (rig.downstream.messages.length >= fuzzer.expected.size ? rig.downstream.messages : undefined),
      { timeoutMs: 30_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seen = new Map<string, number>();
    for (const message of relayed) {
      const token = tokenOf(message);
      const expected = token === undefined ? undefined : fuzzer.expected.get(token);
      if (!expected || token === undefined) throw new Error(`relayed a message no client had accepted: ${JSON.stringify(text(message.bytes).slice(0, 400))}`);
      seen.set(token, (seen.get(token) ?? 0) + 1);
      const problem = relayProblem(message, expected);
      expect(problem, `${token}: ${problem}\n${expected.transcript.join('\n')}`).toBeUndefined();
    }
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seen.size).toBe(fuzzer.expected.size);
    console.log(`[fuzz] seed ${SEED}: ${JSON.stringify(fuzzer.counts)}`);
  });
});
