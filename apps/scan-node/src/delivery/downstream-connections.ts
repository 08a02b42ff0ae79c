import type { Downstream } from '@moat/policy';
import { Socket } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

/** What happened to each recipient of one send. */
export interface RecipientResult {
  rcpt: string;
  outcome: 'delivered' | 'deferred' | 'bounced';
  response: string;
}

export interface DownstreamOptions {
  /** Our name in EHLO. */
  name: string;
  connectTimeoutMs: number;
}

const IDLE_CLOSE_MS = 10_000;
const MESSAGES_PER_CONNECTION = 100;
const SOCKET_TIMEOUT_MS = 120_000;

interface Pooled {
  connection: SMTPConnection;
  sent: number;
  alive: boolean;
  idleTimer?: NodeJS.Timeout;
}

/**
 * Open SMTP connections to one downstream (nodemailer's SMTPConnection), reused for message after message as
 * an MTA does: a connection that delivered goes back to the idle list and is closed after 10 s unused or 100
 * messages. TLS follows the policy: `none` never starts TLS, `opportunistic` uses STARTTLS when offered and
 * falls back to plain text if the handshake fails, `required` refuses to send without it. Certificates are not
 * verified (internal mail servers commonly use private ones); `required` guarantees encryption, not identity.
 */
export class DownstreamConnections {
  private readonly idle: Pooled[] = [];

  constructor(
    readonly downstream: Downstream,
    private readonly options: DownstreamOptions,
  ) {}

  get label(): string {
    return `${this.downstream.host}:${this.downstream.port}`;
  }

  /** Sends MESSAGE (its parts in order) to RCPTS; every recipient gets an outcome (a failed connection defers them all). */
  async send(from: string, rcpts: readonly string[], message: readonly Buffer[]): Promise<RecipientResult[]> {
    let pooled: Pooled;
    try {
      pooled = this.takeIdle() ?? (await this.open());
    } catch (err) {
      return rcpts.map((rcpt) => failure(rcpt, err));
    }
    try {
      const info = await whileOpen<SMTPConnection.SentMessageInfo>(pooled.connection, (resolve, reject) =>
        pooled.connection.send({ from, to: [...rcpts] }, message.length === 1 ? message[0]! : Buffer.concat(message), (err, result) => (err ? reject(err) : resolve(result))),
      );
      this.release(pooled);
      const rejected = new Map((info.rejectedErrors ?? []).map((e) => [String((e as { recipient?: unknown }).recipient), e]));
      return rcpts.map((rcpt) => {
        const error = rejected.get(rcpt);
        return error ? failure(rcpt, error) : { rcpt, outcome: 'delivered', response: info.response };
      });
    } catch (err) {
      this.discard(pooled, true);
      const perRecipient = new Map(((err as { rejectedErrors?: SMTPConnection.SMTPError[] }).rejectedErrors ?? []).map((e) => [String((e as { recipient?: unknown }).recipient), e]));
      return rcpts.map((rcpt) => failure(rcpt, perRecipient.get(rcpt) ?? err));
    }
  }

  close(): void {
    for (const pooled of this.idle.splice(0)) this.discard(pooled);
  }

  private takeIdle(): Pooled | undefined {
    for (let pooled = this.idle.pop(); pooled; pooled = this.idle.pop()) {
      clearTimeout(pooled.idleTimer);
      if (pooled.alive) return pooled;
    }
    return undefined;
  }

  private release(pooled: Pooled): void {
    pooled.sent++;
    if (!pooled.alive || pooled.sent >= MESSAGES_PER_CONNECTION) {
      this.discard(pooled);
      return;
    }
    pooled.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(pooled);
      if (at >= 0) this.idle.splice(at, 1);
      this.discard(pooled);
    }, IDLE_CLOSE_MS);
    pooled.idleTimer.unref();
    this.idle.push(pooled);
  }

  /** Ends a connection: with QUIT when it is healthy and idle, by closing the socket after a failure. */
  private discard(pooled: Pooled, failed = false): void {
    clearTimeout(pooled.idleTimer);
    if (pooled.alive && !failed) pooled.connection.quit();
    else pooled.connection.close();
    pooled.alive = false;
  }

  private open(): Promise<Pooled> {
    const { host, port, tls } = this.downstream;
    // nodemailer leaves Nagle's algorithm on; with the server's delayed ACKs every command then waits ~40 ms.
    const socket = new Socket();
    socket.setNoDelay(true);
    const connection = new SMTPConnection({
      socket,
      host,
      port,
      secure: false,
      name: this.options.name,
      ignoreTLS: tls === 'none',
      opportunisticTLS: tls === 'opportunistic',
      requireTLS: tls === 'required',
      tls: { rejectUnauthorized: false },
      connectionTimeout: this.options.connectTimeoutMs,
      greetingTimeout: this.options.connectTimeoutMs,
      socketTimeout: SOCKET_TIMEOUT_MS,
      logger: false,
    });
    const pooled: Pooled = { connection, sent: 0, alive: true };
    const dead = () => {
      pooled.alive = false;
    };
    connection.on('end', dead);
    connection.on('error', dead);
    return whileOpen<Pooled>(connection, (resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve(pooled))));
  }
}

/**
 * Runs one nodemailer operation. Its callback is not called when the connection fails underneath (nodemailer
 * emits 'error' or 'end' instead), so those settle the promise too.
 */
function whileOpen<T>(connection: SMTPConnection, run: (resolve: (value: T) => void, reject: (err: unknown) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const failed = (err: unknown) => settle(() => reject(err));
    const ended = () => settle(() => reject(new Error('connection closed by the downstream server')));
    const settle = (finish: () => void) => {
      connection.off('error', failed);
      connection.off('end', ended);
      finish();
    };
    connection.once('error', failed);
    connection.once('end', ended);
    run((value) => settle(() => resolve(value)), failed);
  });
}

/** Maps an SMTP error to a recipient outcome: a 5xx reply bounces, anything else (4xx, network, TLS) defers. */
function failure(rcpt: string, err: unknown): RecipientResult {
  const e = err as SMTPConnection.SMTPError;
  const response = e.response ?? e.message ?? String(err);
  return { rcpt, outcome: e.responseCode !== undefined && e.responseCode >= 500 ? 'bounced' : 'deferred', response };
}
