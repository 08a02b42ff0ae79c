import { Injectable } from '@nestjs/common';
import { CsmConfig } from '../csm-config.js';
import { loadOnce } from '../util/load-once.js';
import { SecretBox } from '../util/secret-box.js';

/**
 * The CSM's one key-encryption key (MOAT_SECRET_KEY or `<data>/secret.key`), loaded or created once per process,
 * so every secret kept at rest (DKIM keys, TLS private keys) is sealed with the same key.
 */
@Injectable()
export class SecretKeyService {
  private readonly load = loadOnce(() => SecretBox.load(this.config.secretKey, this.config.dataDir));

  constructor(private readonly config: CsmConfig) {}

  box(): Promise<SecretBox> {
    return this.load();
  }
}
