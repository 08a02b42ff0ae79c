import { SmtpClient, type SmtpReply } from './smtp-client.js';
import type { DeliveryTarget } from './outbound-route.js';

/** What happened to each recipient of one send. */
export interface RecipientResult {
  rcpt: string;
  outcome: 'delivered' | 'deferred' | 'bounced';
  response: string;
  /** The TLS protocol of the connection that sent it ("TLSv1.3"), "" in plain text or when no connection was made. */
  tlsVersion: string;
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
  client: SmtpClient;
  sent: number;
  idleTimer?: NodeJS.Timeout;
}

/**
 * Open SMTP connections to one downstream (smtp-client.ts, pipelined when the server offers it), reused for
 * message after message as an MTA does: a connection that delivered goes back to the idle list and is closed
 * after 10 s unused or 100 messages. TLS follows the policy: `none` never starts TLS, `opportunistic` uses
 * STARTTLS when offered and falls back to plain text if the handshake fails, `required` refuses to send
 * without it.
 */
export class DownstreamConnections {
  private readonly idle: Pooled[] = [];

  constructor(
    readonly downstream: DeliveryTarget,
    private readonly options: DownstreamOptions,
  ) {}

  /** host:port, or name[address]:port when the address was looked up for a name (an MX host), as Postfix logs it. */
  get label(): string {
    const { host, port, tlsName } = this.downstream;
    return tlsName && tlsName !== host ? `${tlsName}[${host}]:${port}` : `${host}:${port}`;
  }

  /** Sends MESSAGE (its parts in order) to RCPTS; every recipient gets an outcome (a failed connection defers them all). */
  async send(from: string, rcpts: readonly string[], message: readonly Buffer[]): Promise<RecipientResult[]> {
    let pooled: Pooled;
    try {
      pooled = this.takeIdle() ?? (await this.open());
    } catch (err) {
      return rcpts.map((rcpt) => deferred(rcpt, err));
    }
    try {
      const replies = await pooled.client.send(from, rcpts, message);
      const tlsVersion = pooled.client.tlsVersion;
      this.release(pooled);
      return rcpts.map((rcpt, i) => {
        const reply = replies.mail.code === 250 ? replies.rcpts[i]! : replies.mail;
        if (reply.code !== 250 && reply.code !== 251) return outcomeOf(rcpt, reply, tlsVersion);
        // Accepted at RCPT: the reply to the message itself decides (absent only when DATA never ran).
        return replies.data ? outcomeOf(rcpt, replies.data, tlsVersion) : { rcpt, outcome: 'deferred', response: 'DATA was not accepted', tlsVersion };
      });
    } catch (err) {
      this.discard(pooled, true);
      return rcpts.map((rcpt) => deferred(rcpt, err));
    }
  }

  close(): void {
    for (const pooled of this.idle.splice(0)) this.discard(pooled);
  }

  private takeIdle(): Pooled | undefined {
    for (let pooled = this.idle.pop(); pooled; pooled = this.idle.pop()) {
      clearTimeout(pooled.idleTimer);
      if (pooled.client.open) return pooled;
    }
    return undefined;
  }

  private release(pooled: Pooled): void {
    pooled.sent++;
    if (!pooled.client.open || pooled.sent >= MESSAGES_PER_CONNECTION) {
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
    if (failed) pooled.client.close();
    else pooled.client.quit();
  }

  private async open(): Promise<Pooled> {
    const { host, port, tls, caBundle, tlsName, dane } = this.downstream;
    const client = await SmtpClient.connect({ host, port, tls, caBundle, tlsName, dane, name: this.options.name, connectTimeoutMs: this.options.connectTimeoutMs, socketTimeoutMs: SOCKET_TIMEOUT_MS });
    return { client, sent: 0 };
  }
}

/** A reply's outcome for a recipient: 2xx delivered, 5xx bounced, anything else deferred. */
function outcomeOf(rcpt: string, reply: SmtpReply, tlsVersion: string): RecipientResult {
  if (reply.code >= 200 && reply.code < 300) return { rcpt, outcome: 'delivered', response: reply.text, tlsVersion };
  return { rcpt, outcome: reply.code >= 500 ? 'bounced' : 'deferred', response: reply.text, tlsVersion };
}

/** A connection that failed (network, TLS, a refused greeting) defers its recipients. */
function deferred(rcpt: string, err: unknown): RecipientResult {
  return { rcpt, outcome: 'deferred', response: err instanceof Error ? err.message : String(err), tlsVersion: '' };
}
