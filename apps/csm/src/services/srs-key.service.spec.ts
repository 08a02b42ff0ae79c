import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SrsKeyRepository } from '../repositories/srs-key.repository.js';
import { testConfig } from '../testing/in-memory-repositories.js';
import { SecretKeyService } from './secret-key.service.js';
import { SrsKeyService } from './srs-key.service.js';

class InMemorySrsKeys extends SrsKeyRepository {
  sealed: string | undefined;
  failures = 0;
  async get(): Promise<string | undefined> {
    if (this.failures > 0 && this.failures--) throw new Error('NATS down');
    return this.sealed;
  }
  async create(sealed: string): Promise<boolean> {
    if (this.sealed !== undefined) return false;
    this.sealed = sealed;
    return true;
  }
}

describe('SrsKeyService', () => {
  const secrets = () => new SecretKeyService(testConfig({ MOAT_SECRET_KEY: secretKey }));
  const secretKey = randomBytes(32).toString('base64');

  it('makes one 32-byte key, keeps it sealed, and every replica opens the same one', async () => {
    const store = new InMemorySrsKeys();
    const first = await new SrsKeyService(store, secrets()).key();
    expect(first).toHaveLength(32);
    expect(store.sealed).toBeDefined();
    expect(store.sealed).not.toContain(first.toString('base64'));
    expect(await new SrsKeyService(store, secrets()).key()).toEqual(first);
  });

  it('takes the key another replica stored first', async () => {
    const store = new InMemorySrsKeys();
    const other = await new SrsKeyService(store, secrets()).key();
    const racing = new (class extends InMemorySrsKeys {
      override async get(): Promise<string | undefined> {
        return this.sealed === undefined ? undefined : store.sealed;
      }
      override async create(): Promise<boolean> {
        this.sealed = 'taken';
        return false;
      }
    })();
    expect(await new SrsKeyService(racing, secrets()).key()).toEqual(other);
  });

  it('tries again after a failure', async () => {
    const store = new InMemorySrsKeys();
    store.failures = 1;
    const service = new SrsKeyService(store, secrets());
    await expect(service.key()).rejects.toThrow('NATS down');
    expect(await service.key()).toHaveLength(32);
  });
});
