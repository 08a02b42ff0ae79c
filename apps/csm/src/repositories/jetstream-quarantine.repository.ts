import { Injectable } from '@nestjs/common';
import { openQuarantineStore } from '@moat/bus';
import type { ObjectStore } from '@nats-io/obj';
import { NatsRepository } from './nats.repository.js';
import { QuarantineRepository } from './quarantine.repository.js';

/** QuarantineRepository over the JetStream Object Store bucket moat_quarantine. */
@Injectable()
export class JetStreamQuarantineRepository extends QuarantineRepository {
  private opened: Promise<ObjectStore> | undefined;

  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async delete(messageId: string): Promise<boolean> {
    const store = await this.store();
    const info = await store.info(messageId);
    if (!info || info.deleted) return false;
    await store.delete(messageId);
    return true;
  }

  private async store(): Promise<ObjectStore> {
    const nc = await this.nats.connection();
    this.opened ??= openQuarantineStore(nc).catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }
}
