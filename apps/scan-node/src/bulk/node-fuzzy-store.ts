import { KvFuzzyStore } from '@moat/fuzzy-store';
import type { FuzzyStore } from '@moat/pipeline';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorText, type Logger } from '../log.js';

const RETRY_MS = 5000;

/**
 * The bulk checksum store over the node's NATS connection (`@moat/fuzzy-store` on KV bucket moat_fuzzy),
 * opened when NATS first becomes usable and again after a failed attempt. While NATS is away, or the bucket
 * is not open yet, every call fails at once: the bulk check then answers BULK_UNAVAILABLE and mail goes on.
 */
export class NodeFuzzyStore implements FuzzyStore {
  private store: KvFuzzyStore | undefined;
  private opening: Promise<KvFuzzyStore> | undefined;
  private retryAtMs = 0;
  private lastError = '';

  constructor(
    private readonly connection: () => NatsConnection | undefined,
    private readonly log: Logger,
  ) {}

  /** Opens the store in the background (when NATS becomes usable), so that the first message need not wait. */
  open(): void {
    this.get().catch(() => undefined);
  }

  async record(checksums: readonly string[], windowSeconds: number): Promise<number[]> {
    return (await this.get()).record(checksums, windowSeconds);
  }

  async denied(checksums: readonly string[]): Promise<boolean[]> {
    return (await this.get()).denied(checksums);
  }

  async deny(checksums: readonly string[], reason: string): Promise<void> {
    await (await this.get()).deny(checksums, reason);
  }

  /** Writes sightings counted locally and stops watching the deny list. */
  async close(): Promise<void> {
    await this.store?.close();
  }

  private get(): Promise<KvFuzzyStore> {
    const nc = this.connection();
    if (!nc) return Promise.reject(new Error('NATS is unavailable'));
    if (this.store) return Promise.resolve(this.store);
    if (!this.opening) {
      if (Date.now() < this.retryAtMs) return Promise.reject(new Error(`bulk store could not be opened: ${this.lastError}`));
      this.opening = KvFuzzyStore.open(nc).then(
        (store) => {
          this.store = store;
          this.log.info('bulk checksum store open');
          return store;
        },
        (err: unknown) => {
          this.opening = undefined;
          this.retryAtMs = Date.now() + RETRY_MS;
          this.lastError = errorText(err);
          this.log.warn(`bulk checksum store could not be opened, retrying: ${this.lastError}`);
          throw err;
        },
      );
    }
    return this.opening;
  }
}
