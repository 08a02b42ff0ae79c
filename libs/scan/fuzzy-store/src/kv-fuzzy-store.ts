import { FUZZY_BUCKET, isRevisionConflict, withReplicas } from '@moat/bus';
import type { FuzzyStore } from '@moat/pipeline';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { addSightings, countWithin, parseSlots, type SlotCounts } from './slot-counts.js';

export interface KvFuzzyStoreOptions {
  /**
   * How long a count read from KV is reused (ms). Within it a sighting costs no round trip: it is counted
   * locally and written in the background, so other nodes' sightings show up at most this late.
   */
  cacheMs?: number;
  /** Sightings older than this are dropped from stored counts (s); the longest window a policy may ask for. */
  retentionSeconds?: number;
  /** Counts kept in the local cache; the oldest go first. */
  maxCached?: number;
}

interface Cached {
  /** Fleet-wide slots as last read from or written to KV. */
  slots: SlotCounts;
  readAtMs: number;
  /** Sightings on this node not yet written to KV. */
  pending: number;
  /** A write of this checksum on its way to KV: sightings meanwhile wait for its answer instead of writing too. */
  writing?: Promise<SlotCounts>;
}

const CAS_ATTEMPTS = 8;
const countKey = (checksum: string) => `c.${checksum}`;
const denyKey = (checksum: string) => `deny.${checksum}`;
const DENY_PREFIX = 'deny.';

/**
 * The bulk checksum store on JetStream KV (bucket moat_fuzzy), shared by every node. Counts are
 * read-modify-write with compare-and-set on the entry's revision, so concurrent nodes never lose a
 * sighting. The deny list is mirrored locally by a KV watch: checking it costs no round trip.
 */
export class KvFuzzyStore implements FuzzyStore {
  private readonly cache = new Map<string, Cached>();
  private readonly denyList = new Set<string>();
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private readonly cacheMs: number;
  private readonly retentionSeconds: number;
  private readonly maxCached: number;

  private constructor(
    private readonly kv: KV,
    private readonly stopWatch: () => void,
    options: KvFuzzyStoreOptions,
  ) {
    this.cacheMs = options.cacheMs ?? 1000;
    this.retentionSeconds = options.retentionSeconds ?? 7 * 24 * 3600;
    this.maxCached = options.maxCached ?? 50_000;
  }

  /** Opens (creating if needed) the bucket and loads the deny list. */
  static async open(nc: NatsConnection, options: KvFuzzyStoreOptions = {}): Promise<KvFuzzyStore> {
    const retention = options.retentionSeconds ?? 7 * 24 * 3600;
    // Keys idle longer than the retention expire with the bucket's TTL.
    const kv = await new Kvm(nc).create(FUZZY_BUCKET, withReplicas({ history: 1, ttl: retention * 1000, description: 'Moat bulk checksum counts and fuzzy deny list' }));
    // Watch first, then list: a deny added in between is seen by the watch.
    const watch = await kv.watch({ key: `${DENY_PREFIX}>`, include: 'updates' });
    const store = new KvFuzzyStore(kv, () => watch.stop(), options);
    void (async () => {
      for await (const entry of watch) store.applyDeny(entry);
    })();
    for await (const key of await kv.keys(`${DENY_PREFIX}>`)) store.denyList.add(key.slice(DENY_PREFIX.length));
    return store;
  }

  async record(checksums: readonly string[], windowSeconds: number): Promise<number[]> {
    const now = Date.now();
    const counts = await Promise.all(checksums.map((checksum) => this.sighting(checksum, now, windowSeconds)));
    if ([...this.cache.values()].some((c) => c.pending > 0)) this.flushSoon();
    return counts;
  }

  /** Counts one sighting; at most one round trip per checksum is in flight, however many messages carry it. */
  private async sighting(checksum: string, now: number, windowSeconds: number): Promise<number> {
    const cached = this.cache.get(checksum);
    if (cached && (cached.writing || now - cached.readAtMs < this.cacheMs)) {
      cached.pending++;
      if (cached.writing) await cached.writing;
      return countWithin(cached.slots, now, windowSeconds) + cached.pending;
    }
    // Unknown or stale: write this sighting now (with any not yet written); the write answers with the
    // fleet's current count. Taken from `pending` first, so a background flush cannot write them twice.
    const entry: Cached = cached ?? { slots: {}, readAtMs: 0, pending: 0 };
    const carried = entry.pending;
    entry.pending = 0;
    entry.writing = this.bump(checksum, 1 + carried);
    this.remember(checksum, entry);
    try {
      entry.slots = await entry.writing;
      entry.readAtMs = Date.now();
      return countWithin(entry.slots, now, windowSeconds) + entry.pending;
    } catch (error) {
      entry.pending += carried;
      throw error;
    } finally {
      entry.writing = undefined;
    }
  }

  denied(checksums: readonly string[]): Promise<boolean[]> {
    return Promise.resolve(checksums.map((checksum) => this.denyList.has(checksum)));
  }

  async deny(checksums: readonly string[], reason: string): Promise<void> {
    const value = JSON.stringify({ reason, atMs: Date.now() });
    await Promise.all(checksums.map((checksum) => this.kv.put(denyKey(checksum), value)));
    for (const checksum of checksums) this.denyList.add(checksum);
  }

  /** Writes every locally counted sighting to KV. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const due = [...this.cache].filter(([, cached]) => cached.pending > 0);
      await Promise.all(
        due.map(async ([checksum, cached]) => {
          // A write in flight carries its own sightings; what came while it ran is written after it.
          await cached.writing?.catch(() => undefined);
          const count = cached.pending;
          cached.pending = 0;
          try {
            cached.slots = await this.bump(checksum, count);
            cached.readAtMs = Date.now();
          } catch {
            // Kept for the next flush: a sighting is never dropped because NATS was briefly away.
            cached.pending += count;
          }
        }),
      );
    });
    return this.flushing;
  }

  /** Flushes and stops watching the deny list. */
  async close(): Promise<void> {
    await this.flush();
    this.stopWatch();
  }

  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async bump(checksum: string, count: number): Promise<SlotCounts> {
    const key = countKey(checksum);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(key);
      const live = entry !== null && entry.operation === 'PUT';
      const slots = addSightings(live ? parseSlots(entry.string()) : {}, count, Date.now(), this.retentionSeconds);
      try {
        if (live) await this.kv.update(key, JSON.stringify(slots), entry.revision);
        else await this.kv.create(key, JSON.stringify(slots));
        return slots;
      } catch (error) {
        // Another node wrote in between: read again and retry.
        if (!isRevisionConflict(error)) throw error;
      }
    }
    throw new Error(`bulk count of ${checksum} kept changing under ${CAS_ATTEMPTS} attempts`);
  }

  private remember(checksum: string, cached: Cached): void {
    this.cache.delete(checksum);
    this.cache.set(checksum, cached);
    if (this.cache.size > this.maxCached) {
      const [oldest, value] = this.cache.entries().next().value as [string, Cached];
      // A cached entry with unwritten sightings stays until flushed.
      if (value.pending === 0) this.cache.delete(oldest);
    }
  }

  private applyDeny(entry: KvWatchEntry): void {
    const checksum = entry.key.slice(DENY_PREFIX.length);
    if (entry.operation === 'PUT') this.denyList.add(checksum);
    else this.denyList.delete(checksum);
  }
}
