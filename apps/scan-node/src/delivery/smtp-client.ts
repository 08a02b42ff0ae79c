import { isIP, Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, TLSSocket } from 'node:tls';
import { daneMismatch, presentedChain, type Tlsa } from './dane.js';

/** One SMTP reply: its code and its full text (every line, codes included), as logged and reported. */
export interface SmtpReply {
  code: number;
  text: string;
}

/** A reply that ended a step of the dialogue (greeting, EHLO, STARTTLS) or the connection failing. */
export class SmtpClientError extends Error {
  constructor(
    message: string,
    readonly reply?: SmtpReply,
  ) {
    super(message);
    this.name = 'SmtpClientError';
  }
}

export interface SmtpClientOptions {
  host: string;
  port: number;
  /** Our name in EHLO. */
  name: string;
  /** none: plain text; opportunistic: STARTTLS when offered; required: no mail without it, nor without a verified certificate. */
  tls: 'none' | 'opportunistic' | 'required';
  /** With required: the CAs (PEM) the certificate must chain to; absent: the system's CAs. */
  caBundle?: string;
  /** With required: the name the certificate must be valid for; absent: host. */
  tlsName?: string;
  /** With required: DNSSEC-validated TLSA records of the host (DANE, RFC 7672), which decide instead of CAs which certificate is good. */
  dane?: readonly Tlsa[];
  connectTimeoutMs: number;
  /** Longest silence from the server during a transaction before the connection is given up. */
  socketTimeoutMs: number;
}

/** What the server said to one message: the MAIL reply, one reply per recipient, and the final reply if DATA ran. */
export interface TransactionReplies {
  mail: SmtpReply;
  rcpts: SmtpReply[];
  /** The reply that ended the message: after the final dot, or a refused DATA; absent when no recipient was accepted. */
  data?: SmtpReply;
}

/**
 * A client connection for relaying: EHLO, STARTTLS as the policy says, then transactions one after the other.
 * With PIPELINING (RFC 2920) a transaction is two writes: MAIL, every RCPT and DATA together, then the
 * dot-stuffed message with its final dot. `opportunistic` accepts any certificate (encryption against passive
 * eavesdropping, as MTAs do); `required` verifies it against the domain's CA bundle and name, and a certificate
 * that does not verify fails the connection like a missing STARTTLS (the recipients are deferred and retried).
 */
export class SmtpClient {
  private extensions = new Set<string>();

  private constructor(
    private socket: Socket | TLSSocket,
    private reader: ReplyReader,
  ) {}

  get pipelining(): boolean {
    return this.extensions.has('PIPELINING');
  }

  get open(): boolean {
    return !this.reader.closed;
  }

  /** The TLS protocol in use ("TLSv1.3"), "" in plain text. */
  get tlsVersion(): string {
    return this.socket instanceof TLSSocket ? (this.socket.getProtocol() ?? '') : '';
  }

  /** Connects and greets; with `opportunistic`, a failed TLS handshake is retried once in plain text. */
  static async connect(options: SmtpClientOptions): Promise<SmtpClient> {
    try {
      return await SmtpClient.dial(options, options.tls);
    } catch (err) {
      if (options.tls !== 'opportunistic' || !(err instanceof TlsHandshakeError)) throw err;
      return SmtpClient.dial(options, 'none');
    }
  }

  private static async dial(options: SmtpClientOptions, tls: SmtpClientOptions['tls']): Promise<SmtpClient> {
    const socket = await openSocket(options);
    const client = new SmtpClient(socket, new ReplyReader(socket, options.socketTimeoutMs));
    try {
      const greeting = await client.reader.next();
      if (greeting.code !== 220) throw new SmtpClientError(`downstream greeting refused: ${greeting.text}`, greeting);
      await client.hello(options.name);
      if (tls !== 'none' && client.extensions.has('STARTTLS')) await client.startTls(options);
      else if (tls === 'required') throw new SmtpClientError(`downstream ${options.host}:${options.port} does not offer STARTTLS, which the policy requires`);
      return client;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  /** Runs one transaction for MESSAGE (its parts in order); the connection stays usable unless it failed underneath (then this rejects). */
  async send(from: string, rcpts: readonly string[], message: readonly Buffer[]): Promise<TransactionReplies> {
    const commands = [`MAIL FROM:<${from}>`, ...rcpts.map((rcpt) => `RCPT TO:<${rcpt}>`)];
    let mail: SmtpReply;
    const replies: SmtpReply[] = [];
    let data: SmtpReply | undefined;
    if (this.pipelining) {
      this.socket.write(`${commands.join('\r\n')}\r\nDATA\r\n`);
      mail = await this.reader.next();
      for (let i = 0; i < rcpts.length; i++) replies.push(await this.reader.next());
      data = await this.reader.next();
    } else {
      mail = await this.command(commands[0]!);
      if (mail.code !== 250) return { mail, rcpts: rcpts.map(() => mail) };
      for (const command of commands.slice(1)) replies.push(await this.command(command));
      if (replies.some((r) => r.code === 250 || r.code === 251)) data = await this.command('DATA');
    }
    const accepted = mail.code === 250 && replies.some((r) => r.code === 250 || r.code === 251);
    if (data?.code === 354 && !accepted) {
      // A server that takes DATA with no recipient expects a message we will not send: the dialogue is lost.
      this.close();
      throw new SmtpClientError(`downstream answered DATA with ${data.text} without an accepted recipient`, data);
    }
    if (mail.code !== 250) return { mail, rcpts: rcpts.map(() => mail) };
    if (!accepted || data?.code !== 354) {
      // MAIL opened a transaction that no message closed: RSET, or the next MAIL is a "nested MAIL command".
      await this.command('RSET');
      return { mail, rcpts: replies, ...(accepted && data ? { data } : {}) };
    }
    this.socket.cork();
    for (const part of dotStuffed(message)) this.socket.write(part);
    this.socket.write(endsWithCrlf(message) ? '.\r\n' : '\r\n.\r\n');
    this.socket.uncork();
    return { mail, rcpts: replies, data: await this.reader.next() };
  }

  /** Ends politely (QUIT) without waiting for the answer. */
  quit(): void {
    if (this.reader.closed) return;
    this.socket.end('QUIT\r\n');
  }

  close(): void {
    this.socket.destroy();
  }

  private async command(line: string): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.reader.next();
  }

  private async hello(name: string): Promise<void> {
    const ehlo = await this.command(`EHLO ${name}`);
    if (ehlo.code === 250) {
      this.extensions = new Set(ehlo.text.split('\r\n').slice(1).map((line) => line.slice(4).split(' ', 1)[0]!.toUpperCase()));
      return;
    }
    const helo = await this.command(`HELO ${name}`);
    if (helo.code !== 250) throw new SmtpClientError(`downstream refused EHLO and HELO: ${helo.text}`, helo);
    this.extensions = new Set();
  }

  private async startTls(options: SmtpClientOptions): Promise<void> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) {
      if (options.tls === 'required') throw new SmtpClientError(`downstream refused STARTTLS: ${reply.text}`, reply);
      return;
    }
    this.reader.detach();
    const dane = options.tls === 'required' && options.dane?.length ? options.dane : undefined;
    const secure = await new Promise<TLSSocket>((resolve, reject) => {
      // With DANE the TLSA records, not the CAs, say which certificate is good: it is checked once the handshake is done.
      const verify = options.tls === 'required' && !dane;
      const name = options.tlsName ?? options.host;
      const tls = tlsConnect({
        socket: this.socket,
        rejectUnauthorized: verify,
        ...(verify ? { checkServerIdentity: (_host: string, cert: Parameters<typeof checkServerIdentity>[1]) => checkServerIdentity(name, cert) } : {}),
        ...(verify && options.caBundle ? { ca: options.caBundle } : {}),
        ...(isIP(name) ? {} : { servername: name }),
      });
      tls.once('secureConnect', () => resolve(tls));
      tls.once('error', (err) => reject(new TlsHandshakeError(`TLS handshake with ${options.host}:${options.port} failed: ${err.message}`)));
    });
    const mismatch = dane ? daneMismatch(dane, presentedChain(secure.getPeerCertificate(true)), options.tlsName ?? options.host) : undefined;
    if (mismatch) {
      secure.destroy();
      throw new SmtpClientError(`DANE: ${mismatch}`);
    }
    secure.setNoDelay(true);
    this.socket = secure;
    this.reader = new ReplyReader(secure, options.socketTimeoutMs);
    await this.hello(options.name);
  }
}

class TlsHandshakeError extends SmtpClientError {}

function openSocket(options: SmtpClientOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    // Whole commands and messages are written at once; Nagle's algorithm would only add delayed-ACK waits.
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new SmtpClientError(`no connection to ${options.host}:${options.port} within ${options.connectTimeoutMs} ms`));
    }, options.connectTimeoutMs);
    const failed = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', failed);
    socket.connect(options.port, options.host, () => {
      clearTimeout(timer);
      socket.off('error', failed);
      resolve(socket);
    });
  });
}

/**
 * MESSAGE (its parts in order) split where a line starts with a dot, so that each such line goes out with one
 * more dot (RFC 5321 4.5.2). A line starts after LF and also after a bare CR: the node refuses or normalises
 * bare CRs, but a next hop that ends DATA on `<CR>.<CR>` must never see one from us whatever the spool holds.
 * Most messages have none and go out as the buffers they are, without a copy.
 */
export function dotStuffed(message: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let atLineStart = true;
  for (const part of message) {
    if (part.length === 0) continue;
    if (atLineStart && part[0] === 0x2e) out.push(DOT);
    let from = 0;
    let lf = part.indexOf(LF_DOT);
    let cr = part.indexOf(CR_DOT);
    while (lf >= 0 || cr >= 0) {
      const at = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr;
      out.push(part.subarray(from, at + 1), DOT);
      from = at + 1;
      if (at === lf) lf = part.indexOf(LF_DOT, at + 2);
      else cr = part.indexOf(CR_DOT, at + 2);
    }
    out.push(from === 0 ? part : part.subarray(from));
    const last = part[part.length - 1];
    atLineStart = last === 0x0a || last === 0x0d;
  }
  return out;
}

/** Whether the last two bytes of MESSAGE (across its parts) are CRLF. */
function endsWithCrlf(message: readonly Buffer[]): boolean {
  const tail: number[] = [];
  for (let i = message.length - 1; i >= 0 && tail.length < 2; i--) {
    const part = message[i]!;
    for (let j = part.length - 1; j >= 0 && tail.length < 2; j--) tail.unshift(part[j]!);
  }
  return tail[0] === 13 && tail[1] === 10;
}

const DOT = Buffer.from('.');
const LF_DOT = Buffer.from('\n.');
const CR_DOT = Buffer.from('\r.');

/** Reads replies off a socket in order; a closed, failed or silent connection fails what is awaited. */
class ReplyReader {
  closed = false;
  private buffer = '';
  private readonly replies: SmtpReply[] = [];
  private readonly waiting: Array<{ resolve: (reply: SmtpReply) => void; reject: (err: Error) => void }> = [];
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => this.receive(chunk.toString('utf8'));
  private readonly onEnd = () => this.fail(new SmtpClientError('connection closed by the downstream server'));
  private readonly onError = (err: Error) => this.fail(err);
  private readonly onTimeout = () => {
    this.fail(new SmtpClientError('downstream server stopped answering'));
    this.socket.destroy();
  };

  constructor(
    private readonly socket: Socket | TLSSocket,
    timeoutMs: number,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
    socket.setTimeout(timeoutMs, this.onTimeout);
  }

  next(): Promise<SmtpReply> {
    const reply = this.replies.shift();
    if (reply) return Promise.resolve(reply);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Stops reading (the socket is handed to TLS). */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.setTimeout(0);
  }

  private receive(text: string): void {
    this.buffer += text;
    let start = 0;
    let lineStart = 0;
    for (let end = this.buffer.indexOf('\r\n'); end >= 0; end = this.buffer.indexOf('\r\n', lineStart)) {
      // "250-..." continues a reply, "250 ..." (or a bare "250") ends it.
      if (this.buffer[lineStart + 3] !== '-') {
        const text = this.buffer.slice(start, end);
        const reply = { code: Number(text.slice(0, 3)) || 0, text };
        const waiter = this.waiting.shift();
        if (waiter) waiter.resolve(reply);
        else this.replies.push(reply);
        start = end + 2;
      }
      lineStart = end + 2;
    }
    this.buffer = this.buffer.slice(start);
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = err;
    for (const waiter of this.waiting.splice(0)) waiter.reject(err);
  }
}
