import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SRS_KEY_NAME, SrsKeyRepository } from '../repositories/srs-key.repository.js';
import { loadOnce } from '../util/load-once.js';
import { SecretKeyService } from './secret-key.service.js';

/**
 * The cluster's SRS key (F9 forwarding): 32 random bytes made by the first CSM that needs it, kept sealed in the
 * config of record (so every replica and every node use the same one), sent to nodes on the signing-keys stream
 * only. Nodes sign forwarded copies' senders with it and verify bounces to them. Never logged, never in the API.
 */
@Injectable()
export class SrsKeyService {
  /** The key; a failure (NATS down) does not stick: the next call tries again. */
  readonly key = loadOnce(() => this.loadOrCreate());

  constructor(
    private readonly keys: SrsKeyRepository,
    private readonly secrets: SecretKeyService,
  ) {}

  private async loadOrCreate(): Promise<Buffer> {
    const box = await this.secrets.box();
    let sealed = await this.keys.get();
    if (sealed === undefined) {
      const made = box.seal(randomBytes(32).toString('base64'), SRS_KEY_NAME);
      sealed = (await this.keys.create(made)) ? made : await this.keys.get();
      if (sealed === undefined) throw new Error('SRS key neither stored nor found');
    }
    return Buffer.from(box.open(sealed, SRS_KEY_NAME), 'base64');
  }
}
