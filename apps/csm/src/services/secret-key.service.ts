import { Injectable } from '@nestjs/common';
import { CsmConfig } from '../csm-config.js';
import { SecretBox } from '../util/secret-box.js';

/**
 * The CSM's one key-encryption key (MOAT_SECRET_KEY or `<data>/secret.key`), loaded or created once per process,
 * so every secret kept at rest (DKIM keys, TLS private keys) is sealed with the same key.
 */
@Injectable()
export class SecretKeyService {
  private loading: Promise<SecretBox> | undefined;

  constructor(private readonly config: CsmConfig) {}

  box(): Promise<SecretBox> {
    if (this.loading) return this.loading;
    const loading = SecretBox.load(this.config.secretKey, this.config.dataDir);
    // A failed load (unreadable file) must not stick: the next call tries again.
    loading.catch(() => {
      if (this.loading === loading) this.loading = undefined;
    });
    this.loading = loading;
    return loading;
  }
}
