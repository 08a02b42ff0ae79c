import { Injectable } from '@nestjs/common';
import { openConfigBucket } from '@moat/bus';
import type { KV } from '@nats-io/kv';
import { NatsRepository } from './nats.repository.js';
import { SRS_KEY_NAME, SrsKeyRepository } from './srs-key.repository.js';

/** SrsKeyRepository over the JetStream KV bucket moat_config, key `srs.key`. */
@Injectable()
export class KvSrsKeyRepository extends SrsKeyRepository {
  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async get(): Promise<string | undefined> {
    const entry = await (await this.kv()).get(SRS_KEY_NAME);
    return entry && entry.operation === 'PUT' ? entry.string() : undefined;
  }

  async create(sealed: string): Promise<boolean> {
    const kv = await this.kv();
    try {
      await kv.create(SRS_KEY_NAME, sealed);
      return true;
    } catch (err) {
      if ((await this.get()) !== undefined) return false;
      throw err;
    }
  }

  private async kv(): Promise<KV> {
    return openConfigBucket(await this.nats.connection());
  }
}
