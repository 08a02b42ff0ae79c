import { Injectable } from '@nestjs/common';
import { openBodyStore, openQuarantineStore } from '@moat/bus';
import type { ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { BodyStoreRepository, type BodyStoreUsage, type StoredBody } from './body-store.repository.js';
import { NatsRepository } from './nats.repository.js';

type Bucket = StoredBody['bucket'];
const OPENERS: Record<Bucket, (nc: NatsConnection) => Promise<ObjectStore>> = { bodies: openBodyStore, quarantine: openQuarantineStore };

/** BodyStoreRepository over the JetStream Object Store buckets moat_bodies and moat_quarantine. */
@Injectable()
export class JetStreamBodyStoreRepository extends BodyStoreRepository {
  private readonly opened = new Map<Bucket, Promise<ObjectStore>>();

  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async find(messageId: string): Promise<StoredBody | undefined> {
    for (const bucket of ['bodies', 'quarantine'] as const) {
      const store = await this.store(bucket);
      const info = await store.info(messageId);
      if (!info || info.deleted) continue;
      const raw = await store.getBlob(messageId);
      if (!raw) continue;
      const expires = Number(info.metadata?.['expires_at_ms']);
      return { raw: Buffer.from(raw), bucket, ...(bucket === 'bodies' && Number.isFinite(expires) ? { expiresAtMs: expires } : {}) };
    }
    return undefined;
  }

  async sweep(nowMs: number): Promise<number> {
    const store = await this.store('bodies');
    let removed = 0;
    for (const info of await store.list()) {
      const expires = Number(info.metadata?.['expires_at_ms']);
      if (info.deleted || !Number.isFinite(expires) || expires > nowMs) continue;
      await store.delete(info.name);
      removed++;
    }
    return removed;
  }

  async usage(): Promise<BodyStoreUsage> {
    let bytes = 0;
    let messages = 0;
    for (const bucket of ['bodies', 'quarantine'] as const) {
      for (const info of await (await this.store(bucket)).list()) {
        if (info.deleted) continue;
        bytes += info.size;
        messages++;
      }
    }
    return { bytes, messages };
  }

  private async store(bucket: Bucket): Promise<ObjectStore> {
    const nc = await this.nats.connection();
    let opened = this.opened.get(bucket);
    if (!opened) {
      opened = OPENERS[bucket](nc);
      opened.catch(() => this.opened.delete(bucket));
      this.opened.set(bucket, opened);
    }
    return opened;
  }
}
