import { connect, type Socket } from 'node:net';

export interface SmtpReply {
  code: number;
  text: string;
}

/**
 * A bare SMTP connection for sending what no well-behaved client would (bare LF, NUL bytes, overlong lines,
 * commands pipelined without waiting). Replies are parsed as they arrive (multi-line replies joined).
 */
export class RawSmtp {
  private buffer = '';
  private readonly replies: SmtpReply[] = [];
  /** Lines of a multi-line reply that has not ended yet. */
  private readonly replyLines: string[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.parse();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('error', () => undefined);
  }

  /** LOCALADDRESS: the client's source address (another loopback address such as 127.0.0.2 to look like another host). */
  static connect(port: number, { localAddress }: { localAddress?: string } = {}): Promise<RawSmtp> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress }, () => resolve(new RawSmtp(socket)));
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next complete reply; rejects on timeout or when the server closed without one. */
  async reply(timeoutMs = 10_000): Promise<SmtpReply> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length === 0) {
      if (this.ended) throw new Error(`connection closed without a reply (unparsed: ${JSON.stringify(this.buffer.slice(0, 200))})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.replies.shift() as SmtpReply;
  }

  /** Sends a command line (CRLF added) and returns its reply. */
  async command(line: string | Buffer, timeoutMs?: number): Promise<SmtpReply> {
    this.write(typeof line === 'string' ? `${line}\r\n` : Buffer.concat([line, Buffer.from('\r\n')]));
    return this.reply(timeoutMs);
  }

  /** Waits until the server closes the connection (true) or the timeout passes (false). */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const end = this.buffer.indexOf('\n');
      if (end < 0) break;
      const line = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      this.replyLines.push(line);
      const match = /^(\d{3})([ -])/.exec(line);
      if (!match || match[2] === '-') continue;
      this.replies.push({ code: Number(match[1]), text: this.replyLines.splice(0).join('\n') });
    }
    this.waiter?.();
  }
}
