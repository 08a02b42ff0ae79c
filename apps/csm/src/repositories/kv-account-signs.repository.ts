import { Injectable } from '@nestjs/common';
import { ACCOUNT_SIGNS_BUCKET, ACCOUNT_SIGNS_BUCKET_CONFIG, accountSignsKey, isRevisionConflict, parseAccountSigns, type AccountSigns } from '@moat/bus';
import { Kvm, type KV } from '@nats-io/kv';
import { UnavailableError } from '../util/errors.js';
import { AccountSignsRepository } from './account-signs.repository.js';
import { NatsRepository } from './nats.repository.js';

const CAS_ATTEMPTS = 8;

/** AccountSignsRepository over the JetStream KV bucket moat_account_signs (keys `acct.<address in base64url>`, see @moat/bus). */
@Injectable()
export class KvAccountSignsRepository extends AccountSignsRepository {
  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async list(): Promise<AccountSigns[]> {
    const kv = await this.kv();
    const keys: string[] = [];
    for await (const key of await kv.keys()) keys.push(key);
    const records: AccountSigns[] = [];
    for (const key of keys) {
      const entry = await kv.get(key);
      const signs = entry && entry.operation === 'PUT' ? parseAccountSigns(entry.string()) : undefined;
      if (signs) records.push(signs);
    }
    return records;
  }

  async change(address: string, next: (old: AccountSigns) => AccountSigns | undefined): Promise<AccountSigns | undefined> {
    const kv = await this.kv();
    const key = accountSignsKey(address);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      const stored = entry && entry.operation === 'PUT' ? parseAccountSigns(entry.string()) : undefined;
      const value = stored ? next(stored) : undefined;
      if (!entry || !value) return value;
      try {
        await kv.update(key, JSON.stringify(value), entry.revision);
        return value;
      } catch (err) {
        if (!isRevisionConflict(err)) throw err;
      }
    }
    throw new UnavailableError(`the record of ${address} kept changing under ${CAS_ATTEMPTS} attempts`);
  }

  private async kv(): Promise<KV> {
    return new Kvm(await this.nats.connection()).create(ACCOUNT_SIGNS_BUCKET, ACCOUNT_SIGNS_BUCKET_CONFIG);
  }
}
