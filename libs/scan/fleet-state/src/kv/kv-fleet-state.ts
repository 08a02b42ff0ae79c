import { createHash } from 'node:crypto';
import { ACCOUNT_SIGNS_BUCKET, ACCOUNT_SIGNS_BUCKET_CONFIG, AUTH_BLOCKS_BUCKET, AUTH_BLOCKS_BUCKET_CONFIG, COUNTERS_BUCKET, GREYLIST_BUCKET, isRevisionConflict, withReplicas } from '@moat/bus';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { FleetStateUnavailable, type FleetState, type SharedRecord, type SharedRecords, type WindowCounters } from '../fleet-state.js';
import { addToSlots, parseSlots, totalWithin, type WindowSlots } from '../window-slots.js';

export interface KvFleetStateOptions {
  /** Longest a KV call may take before the state counts as unavailable (ms): SMTP replies must not wait long. */
  timeoutMs?: number;
}

/** Longest counter window a policy may ask for is one day; a counter idle for two expires with the bucket TTL. */
const COUNTERS_TTL_MS = 2 * 86_400_000;
/** Greylist records live at most 61 days (the longest auto-allow period plus a day). */
const GREYLIST_TTL_MS = 61 * 86_400_000;
const CAS_ATTEMPTS = 8;

interface Buckets {
  nc: NatsConnection;
  counters: KV;
  greylist: KV;
  authBlocks: KV;
  accounts: KV;
}

/**
 * FleetState on JetStream KV (buckets moat_counters and moat_greylist). The node's NATS connection comes
 * and goes, so buckets are opened on first use after each (re)connect; while NATS is away every call
 * rejects with FleetStateUnavailable at once. Counters and records are read-modify-write with
 * compare-and-set on the entry revision, so nodes counting at once never lose a hit. A counter's last
 * known revision is kept locally, so a hit on a counter no other node touched meanwhile is one round trip.
 */
export class KvFleetState implements FleetState {
  readonly counters: WindowCounters;
  readonly greylist: SharedRecords;
  readonly authBlocks: SharedRecords;
  readonly accounts: SharedRecords;
  private opening: Promise<Buckets> | undefined;
  private readonly lastSeen = new Map<string, { slots: WindowSlots; revision: number }>();
  /** Hits of one counter on this node run one after the other: they would only race each other's CAS. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly timeoutMs: number;

  constructor(
    private readonly connection: () => NatsConnection | undefined,
    options: KvFleetStateOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.counters = { hit: (key, windowSeconds, amount = 1) => this.hit(key, windowSeconds, amount) };
    this.greylist = this.records((b) => b.greylist, kvKey);
    // Readable keys (authBlockKey): the CSM lists and removes blocks by address.
    this.authBlocks = this.records((b) => b.authBlocks, (key) => key);
    // Readable keys (accountSignsKey): the CSM lists and clears throttled and held accounts.
    this.accounts = this.records((b) => b.accounts, (key) => key);
  }

  private records(bucket: (b: Buckets) => KV, encode: (key: string) => string): SharedRecords {
    return {
      get: (key) => this.call(async (b) => readRecord(bucket(b), encode(key))),
      create: (key, value) => this.call(async (b) => (await casResult(bucket(b).create(encode(key), value))) !== false),
      update: (key, value, revision) => this.call(async (b) => (await casResult(bucket(b).update(encode(key), value, revision))) !== false),
    };
  }

  private hit(key: string, windowSeconds: number, amount: number): Promise<number> {
    const id = kvKey(`${key}/${windowSeconds}`);
    const run = (this.queues.get(id) ?? Promise.resolve()).then(() => this.casHit(id, key, windowSeconds, amount));
    const queued = run.catch(() => undefined);
    this.queues.set(id, queued);
    void queued.then(() => {
      if (this.queues.get(id) === queued) this.queues.delete(id);
    });
    return run;
  }

  private casHit(id: string, key: string, windowSeconds: number, amount: number): Promise<number> {
    return this.call(async ({ counters }) => {
      let known = this.lastSeen.get(id);
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        if (!known) {
          const entry = await counters.get(id);
          known = entry && entry.operation === 'PUT' ? { slots: parseSlots(entry.string()), revision: entry.revision } : { slots: {}, revision: 0 };
        }
        const now = Date.now();
        const slots = addToSlots(known.slots, amount, now, windowSeconds);
        const text = JSON.stringify(slots);
        const written = await casResult(known.revision === 0 ? counters.create(id, text) : counters.update(id, text, known.revision));
        if (written !== false) {
          this.remember(id, { slots, revision: written });
          return totalWithin(slots, now, windowSeconds);
        }
        // Another node counted meanwhile: read its total and try again.
        known = undefined;
      }
      throw new FleetStateUnavailable(`counter ${key} kept changing under ${CAS_ATTEMPTS} attempts`);
    });
  }

  private remember(id: string, seen: { slots: WindowSlots; revision: number }): void {
    this.lastSeen.delete(id);
    this.lastSeen.set(id, seen);
    if (this.lastSeen.size > 50_000) this.lastSeen.delete(this.lastSeen.keys().next().value as string);
  }

  /** Runs BODY on the buckets; any failure other than a lost compare-and-set means the state is unavailable. */
  private async call<T>(body: (buckets: Buckets) => Promise<T>): Promise<T> {
    const buckets = await this.buckets();
    try {
      return await body(buckets);
    } catch (error) {
      if (error instanceof FleetStateUnavailable) throw error;
      throw new FleetStateUnavailable(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  private async buckets(): Promise<Buckets> {
    const nc = this.connection();
    if (!nc || nc.isClosed()) throw new FleetStateUnavailable('no NATS connection');
    const opened = this.opening ? await this.opening.catch(() => undefined) : undefined;
    if (opened && opened.nc === nc) return opened;
    this.lastSeen.clear();
    const opening = openBuckets(nc, this.timeoutMs);
    this.opening = opening;
    try {
      return await opening;
    } catch (error) {
      throw new FleetStateUnavailable(`cannot open the KV buckets: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

async function openBuckets(nc: NatsConnection, timeoutMs: number): Promise<Buckets> {
  const kvm = new Kvm(jetstream(nc, { timeout: timeoutMs }));
  const [counters, greylist, authBlocks, accounts] = await Promise.all([
    kvm.create(COUNTERS_BUCKET, withReplicas({ history: 1, ttl: COUNTERS_TTL_MS, description: 'Moat fleet-wide windowed counters (rate control, mail bombs)' })),
    kvm.create(GREYLIST_BUCKET, withReplicas({ history: 1, ttl: GREYLIST_TTL_MS, description: 'Moat greylist triplets and auto-allowed senders' })),
    kvm.create(AUTH_BLOCKS_BUCKET, withReplicas(AUTH_BLOCKS_BUCKET_CONFIG)),
    kvm.create(ACCOUNT_SIGNS_BUCKET, withReplicas(ACCOUNT_SIGNS_BUCKET_CONFIG)),
  ]);
  return { nc, counters, greylist, authBlocks, accounts };
}

async function readRecord(kv: KV, key: string): Promise<SharedRecord | undefined> {
  const entry = await kv.get(key);
  return entry && entry.operation === 'PUT' ? { value: entry.string(), revision: entry.revision } : undefined;
}

/** The new revision, or false when a compare-and-set lost to another writer. */
async function casResult(write: Promise<number>): Promise<number | false> {
  try {
    return await write;
  } catch (error) {
    if (isRevisionConflict(error)) return false;
    throw error;
  }
}

/** KV keys allow only [-/_=.A-Za-z0-9]: any key becomes its SHA-256 (base64url). */
function kvKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
