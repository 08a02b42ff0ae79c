import type { ObjectInfo } from '@nats-io/obj';
import { errorText, type Logger } from '../log.js';
import type { NatsLink } from '../nats/nats-link.js';
import type { Spool, SpoolEntry, SpoolMeta } from '../spool/spool.js';

const PUT_TIMEOUT_MS = 5000;

/** A quarantined (or held) message as read back for release. */
export interface QuarantinedMessage {
  meta: SpoolMeta;
  raw: Buffer;
}

/**
 * Quarantined and held messages live in the JetStream Object Store bucket `moat_quarantine` (object name =
 * message id, metadata = envelope), so that the CSM can show and release them whichever node took them. While
 * NATS is unreachable a message goes to a local spool (`<data>/quarantine`) instead, fsynced like any accepted
 * message, and is uploaded when NATS is back; it is never delivered from there.
 */
export class Quarantine {
  private readonly pending: SpoolEntry[] = [];
  private uploading = false;

  constructor(
    private readonly local: Spool,
    private readonly link: NatsLink,
    private readonly nodeId: () => string,
    private readonly log: Logger,
  ) {}

  /** Takes over the local quarantine spool after a restart and uploads it whenever NATS becomes usable. */
  async start(): Promise<void> {
    const { entries, problems } = await this.local.recover();
    for (const p of problems) this.log.error(`local quarantine: ${p.file}: ${p.problem}`);
    this.pending.push(...entries);
    this.link.onReady(() => void this.upload());
    void this.upload();
  }

  get localBacklog(): number {
    return this.pending.length;
  }

  /** Stores a message; resolves once it is safe centrally or, failing that, in the local quarantine spool. */
  async store(meta: SpoolMeta, message: readonly Buffer[]): Promise<'central' | 'local'> {
    const store = this.link.quarantineStore();
    if (store) {
      try {
        await withTimeout(store.putBlob({ name: meta.id, metadata: objectMetadata(meta, this.nodeId()) }, Buffer.concat(message)), PUT_TIMEOUT_MS);
        return 'central';
      } catch (err) {
        this.log.warn(`quarantine store unavailable, keeping ${meta.id} locally: ${errorText(err)}`);
      }
    }
    this.pending.push(await this.local.put(meta, message));
    return 'local';
  }

  /** Reads a quarantined message back (local spool first, then the object store); undefined when unknown. */
  async fetch(id: string): Promise<QuarantinedMessage | undefined> {
    const local = await this.local.get(id);
    if (local) return { meta: local.meta, raw: await this.local.readMessage(id) };
    const store = this.link.quarantineStore();
    if (!store) throw new Error('quarantine store unreachable (NATS is down)');
    const info = await store.info(id);
    const raw = info && (await store.getBlob(id));
    if (!info || !raw) return undefined;
    return { meta: metaFromObject(id, info), raw: Buffer.from(raw) };
  }

  private async upload(): Promise<void> {
    if (this.uploading) return;
    this.uploading = true;
    try {
      for (let store = this.link.quarantineStore(); store && this.pending.length > 0; store = this.link.quarantineStore()) {
        const entry = this.pending[0]!;
        await withTimeout(store.putBlob({ name: entry.meta.id, metadata: objectMetadata(entry.meta, this.nodeId()) }, await this.local.readMessage(entry.meta.id)), PUT_TIMEOUT_MS);
        await this.local.remove(entry);
        this.pending.shift();
      }
    } catch (err) {
      this.log.warn(`local quarantine upload paused (${this.pending.length} waiting): ${errorText(err)}`);
    } finally {
      this.uploading = false;
    }
  }
}

/** Object metadata: the envelope per docs/architecture.md ("Message bodies") plus the verdict. */
function objectMetadata(meta: SpoolMeta, nodeId: string): Record<string, string> {
  return {
    mail_from: meta.mailFrom,
    rcpt_to: JSON.stringify(meta.rcptTo),
    node_id: nodeId,
    action: meta.action,
    score: String(meta.score),
    received_at_ms: String(meta.receivedAtMs),
    client_ip: meta.clientIp,
    helo: meta.helo,
    policy_version: String(meta.policyVersion),
    // Outbound mail released later (an approver's approval) must leave through the outbound route again.
    ...(meta.direction ? { direction: meta.direction } : {}),
  };
}

function metaFromObject(id: string, info: ObjectInfo): SpoolMeta {
  const m = info.metadata ?? {};
  const rcptTo: unknown = JSON.parse(m.rcpt_to ?? '[]');
  if (!Array.isArray(rcptTo) || !rcptTo.every((r) => typeof r === 'string')) throw new Error(`quarantined message ${id}: rcpt_to metadata is not a list of addresses`);
  return {
    id,
    receivedAtMs: m.received_at_ms ? Number(m.received_at_ms) : Date.parse(info.mtime),
    mailFrom: m.mail_from ?? '',
    rcptTo,
    clientIp: m.client_ip ?? '',
    helo: m.helo ?? '',
    action: m.action === 'hold' ? 'hold' : 'quarantine',
    score: Number(m.score ?? 0),
    policyVersion: Number(m.policy_version ?? 0),
    ...(m.direction === 'outbound' || m.direction === 'inbound' ? { direction: m.direction } : {}),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from NATS within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
