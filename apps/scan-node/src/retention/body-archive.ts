import { openBodyStore } from '@moat/bus';
import type { DirectionRetention } from '@moat/policy';
import type { ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorText, type Logger } from '../log.js';
import type { SpoolMeta } from '../spool/spool.js';

const PUT_TIMEOUT_MS = 10_000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Keeps bodies of delivered mail the retention policy asks for (`bodies: all`) in the JetStream Object Store
 * bucket `moat_bodies`, with the time they expire; the CSM serves them to mail tracking and deletes them after
 * it. A copy for the administrator, not for delivery: it is written after the message is safe in the spool,
 * off the SMTP reply's path, and while NATS is unreachable the body is not kept (logged).
 */
export class BodyArchive {
  private opened: { nc: NatsConnection; store: Promise<ObjectStore> } | undefined;

  constructor(
    private readonly connection: () => NatsConnection | undefined,
    private readonly nodeId: () => string,
    private readonly log: Logger,
  ) {}

  keep(meta: SpoolMeta, message: readonly Buffer[], direction: 'inbound' | 'outbound', retention: DirectionRetention): void {
    if (retention.bodies !== 'all') return;
    void this.put(meta, Buffer.concat(message), direction, meta.receivedAtMs + Math.round(retention.days * DAY_MS)).catch((err: unknown) =>
      this.log.warn(`body of ${meta.id} not kept: ${errorText(err)}`),
    );
  }

  private async put(meta: SpoolMeta, body: Buffer, direction: string, expiresAtMs: number): Promise<void> {
    const nc = this.connection();
    if (!nc) throw new Error('NATS is unreachable');
    if (this.opened?.nc !== nc) this.opened = { nc, store: openBodyStore(nc) };
    const opened = this.opened;
    const store = await opened.store.catch((err: unknown) => {
      if (this.opened === opened) this.opened = undefined;
      throw err;
    });
    const metadata = { received_at_ms: String(meta.receivedAtMs), expires_at_ms: String(expiresAtMs), direction, node_id: this.nodeId(), mail_from: meta.mailFrom };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from NATS within ${PUT_TIMEOUT_MS} ms`)), PUT_TIMEOUT_MS);
    });
    await Promise.race([store.putBlob({ name: meta.id, metadata }, body), late]).finally(() => clearTimeout(timer));
  }
}
