import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

interface Waiting {
  resolve: () => void;
  reject: (err: Error) => void;
  deadline: number;
}

/**
 * JetStream publishing with many acknowledgements in flight: each publish carries a reply subject under one
 * inbox subscription, and acks are matched to their publish by that subject. This is what nats.js's
 * `js.publish` does through `request()`, without its cost per message (a timer, a mux entry and an Error
 * built even on success); one sweep a second fails the publishes whose ack is overdue.
 */
export class StreamPublisher {
  private readonly prefix = `${createInbox()}.`;
  private readonly waiting = new Map<string, Waiting>();
  private readonly subscription: Subscription;
  private readonly sweeper: NodeJS.Timeout;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.subscription = nc.subscribe(`${this.prefix}*`, { callback: (err, msg) => (err ? this.failAll(err) : this.acknowledged(msg)) });
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  /** Resolves once the stream stored PAYLOAD (or reported it a duplicate of MSGID); rejects on an error or no ack in time. */
  publish(subject: string, payload: Uint8Array, msgId: string): Promise<void> {
    const token = (this.next++).toString(36);
    const header = headers();
    header.set('Nats-Msg-Id', msgId);
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, payload, { reply: this.prefix + token, headers: header });
      } catch (err) {
        this.waiting.delete(token);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    this.failAll(new Error('publisher closed'));
  }

  private acknowledged(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const waiting = this.waiting.get(token);
    if (!waiting) return;
    this.waiting.delete(token);
    const problem = ackProblem(msg);
    if (problem) waiting.reject(new Error(problem));
    else waiting.resolve();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, waiting] of this.waiting) {
      if (waiting.deadline > now) continue;
      this.waiting.delete(token);
      waiting.reject(new Error(`no acknowledgement from JetStream within ${this.timeoutMs} ms`));
    }
  }

  private failAll(err: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(err);
    this.waiting.clear();
  }
}

/** Why an ack is not one (no stream for the subject, a JetStream error), or undefined for a stored message. */
function ackProblem(msg: Msg): string | undefined {
  if (msg.data.length === 0) return msg.headers?.code === 503 ? 'no JetStream stream listens on the subject' : `empty reply (status ${msg.headers?.code ?? 'none'})`;
  try {
    const ack = msg.json<{ stream?: unknown; error?: { description?: unknown } }>();
    if (ack.error) return `JetStream refused the message: ${String(ack.error.description)}`;
    return typeof ack.stream === 'string' && ack.stream !== '' ? undefined : 'invalid acknowledgement';
  } catch {
    return 'invalid acknowledgement';
  }
}
