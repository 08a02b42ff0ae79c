import { Injectable } from '@nestjs/common';
import { openModelStore } from '@moat/bus';
import type { ObjectStore } from '@nats-io/obj';
import { ModelRepository, type ModelRecord } from './model.repository.js';
import { NatsRepository } from './nats.repository.js';

/** ModelRepository over the JetStream Object Store bucket moat_models. */
@Injectable()
export class JetStreamModelRepository extends ModelRepository {
  private opened: Promise<ObjectStore> | undefined;

  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async list(): Promise<ModelRecord[]> {
    const infos = await (await this.store()).list();
    return infos
      .filter((info) => !info.deleted)
      .map((info) => ({
        version: info.name,
        sizeBytes: info.size,
        createdAtMs: Date.parse(info.mtime),
        source: info.metadata?.source ?? '',
        base: info.metadata?.base ?? '',
      }))
      .sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  async get(version: string): Promise<Buffer | undefined> {
    const bytes = await (await this.store()).getBlob(version);
    return bytes ? Buffer.from(bytes) : undefined;
  }

  async put(version: string, bytes: Buffer, origin: { source: string; base: string }): Promise<void> {
    const store = await this.store();
    if (await store.info(version)) return;
    await store.putBlob({ name: version, metadata: { source: origin.source, base: origin.base } }, bytes);
  }

  private async store(): Promise<ObjectStore> {
    const nc = await this.nats.connection();
    this.opened ??= openModelStore(nc).catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }
}
