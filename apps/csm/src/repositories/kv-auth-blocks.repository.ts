import { Injectable } from '@nestjs/common';
import { AUTH_BLOCKS_BUCKET, AUTH_BLOCKS_BUCKET_CONFIG, authBlockKey, isRevisionConflict, parseAuthBlock, withReplicas, type AuthBlock } from '@moat/bus';
import { Kvm, type KV } from '@nats-io/kv';
import { UnavailableError } from '../util/errors.js';
import { AuthBlocksRepository } from './auth-blocks.repository.js';
import { NatsRepository } from './nats.repository.js';

const CAS_ATTEMPTS = 8;

/** AuthBlocksRepository over the JetStream KV bucket moat_auth_blocks (keys `ip.<address>`, see @moat/bus). */
@Injectable()
export class KvAuthBlocksRepository extends AuthBlocksRepository {
  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async list(): Promise<AuthBlock[]> {
    const kv = await this.kv();
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    const blocks: AuthBlock[] = [];
    for (const key of keys) {
      const entry = await kv.get(key);
      const block = entry && entry.operation === 'PUT' ? parseAuthBlock(entry.string()) : undefined;
      if (block) blocks.push(block);
    }
    return blocks;
  }

  async change<T extends AuthBlock | undefined>(ip: string, next: (old: AuthBlock | undefined) => T): Promise<T> {
    const kv = await this.kv();
    const key = authBlockKey(ip);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      const stored = entry && entry.operation === 'PUT' ? entry : undefined;
      const value = next(stored ? parseAuthBlock(stored.string()) : undefined);
      if (!value) return value;
      try {
        // A deleted key has a revision too: update over it like over a stored one.
        await (entry ? kv.update(key, JSON.stringify(value), entry.revision) : kv.create(key, JSON.stringify(value)));
        return value;
      } catch (err) {
        if (!isRevisionConflict(err)) throw err;
      }
    }
    throw new UnavailableError(`the block of ${ip} kept changing under ${CAS_ATTEMPTS} attempts`);
  }

  async forget(ip: string): Promise<void> {
    await (await this.kv()).purge(authBlockKey(ip));
  }

  private async kv(): Promise<KV> {
    return new Kvm(await this.nats.connection()).create(AUTH_BLOCKS_BUCKET, withReplicas(AUTH_BLOCKS_BUCKET_CONFIG));
  }
}
