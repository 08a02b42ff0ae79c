import { Injectable } from '@nestjs/common';
import { CONFIG_BUCKET } from '@moat/bus';
import { Kvm, type KV } from '@nats-io/kv';
import { DirectoryConfigRepository, directorySettingsKey, directoryStateKey, type DirectorySettings, type DirectoryState } from './directory-config.repository.js';
import { NatsRepository } from './nats.repository.js';

/** DirectoryConfigRepository over the JetStream KV bucket moat_config, keys `directory.config.<tenant>` and `directory.state.<tenant>`. */
@Injectable()
export class KvDirectoryConfigRepository extends DirectoryConfigRepository {
  constructor(private readonly nats: NatsRepository) {
    super();
  }

  getSettings(tenant: string): Promise<DirectorySettings | undefined> {
    return this.read<DirectorySettings>(directorySettingsKey(tenant));
  }

  async putSettings(settings: DirectorySettings): Promise<void> {
    await (await this.kv()).put(directorySettingsKey(settings.tenant), JSON.stringify(settings));
  }

  getState(tenant: string): Promise<DirectoryState | undefined> {
    return this.read<DirectoryState>(directoryStateKey(tenant));
  }

  async putState(state: DirectoryState): Promise<void> {
    await (await this.kv()).put(directoryStateKey(state.tenant), JSON.stringify(state));
  }

  private async read<T>(key: string): Promise<T | undefined> {
    const entry = await (await this.kv()).get(key);
    return entry && entry.operation === 'PUT' ? entry.json<T>() : undefined;
  }

  private async kv(): Promise<KV> {
    // Kvm.create opens the bucket as it is when it exists (KvConfigRepository makes it with these settings).
    return new Kvm(await this.nats.connection()).create(CONFIG_BUCKET, { history: 5, description: 'Moat config of record: policy versions, admins, nodes, audit chain head' });
  }
}
