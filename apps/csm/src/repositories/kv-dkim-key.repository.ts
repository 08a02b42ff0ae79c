import { Injectable } from '@nestjs/common';
import { openConfigBucket } from '@moat/bus';
import type { KV } from '@nats-io/kv';
import { DkimKeyRepository, dkimKeyName, type DkimKeyRecord } from './dkim-key.repository.js';
import { NatsRepository } from './nats.repository.js';

/** DkimKeyRepository over the JetStream KV bucket moat_config, keys `dkim.<domain>.<selector>`. */
@Injectable()
export class KvDkimKeyRepository extends DkimKeyRepository {
  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async list(): Promise<DkimKeyRecord[]> {
    const kv = await this.kv();
    const keys: string[] = [];
    for await (const key of await kv.keys('dkim.>')) keys.push(key);
    const records: DkimKeyRecord[] = [];
    for (const key of keys) {
      const entry = await kv.get(key);
      if (entry && entry.operation === 'PUT') records.push(entry.json<DkimKeyRecord>());
    }
    return records;
  }

  async create(record: DkimKeyRecord): Promise<boolean> {
    const kv = await this.kv();
    const key = dkimKeyName(record.domain, record.selector);
    try {
      await kv.create(key, JSON.stringify(record));
      return true;
    } catch (err) {
      const existing = await kv.get(key);
      if (existing && existing.operation === 'PUT') return false;
      throw err;
    }
  }

  async put(record: DkimKeyRecord): Promise<void> {
    await (await this.kv()).put(dkimKeyName(record.domain, record.selector), JSON.stringify(record));
  }

  async delete(domain: string, selector: string): Promise<boolean> {
    const kv = await this.kv();
    const key = dkimKeyName(domain, selector);
    const existing = await kv.get(key);
    if (!existing || existing.operation !== 'PUT') return false;
    await kv.delete(key);
    return true;
  }

  private async kv(): Promise<KV> {
    return openConfigBucket(await this.nats.connection());
  }
}
