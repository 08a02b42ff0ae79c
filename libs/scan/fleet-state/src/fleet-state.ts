/**
 * State every scan node shares, so that any node can take any connection (greylist retries, rate counters).
 * Nodes use the JetStream KV implementation (`@moat/fleet-state/kv`); unit tests and offline scans use
 * `MemoryFleetState`. Keys are any strings: implementations encode them as they need.
 */
export interface FleetState {
  counters: WindowCounters;
  greylist: SharedRecords;
  /** AUTH blocks per client address, keyed by `authBlockKey(ip)` (@moat/bus), valued by AuthBlock JSON. */
  authBlocks: SharedRecords;
  /** Compromised-account signs per account, keyed by `accountSignsKey(address)` (@moat/bus), valued by AccountSigns JSON. */
  accounts: SharedRecords;
}

/** Counters over a sliding time window, summed over the fleet. */
export interface WindowCounters {
  /**
   * Adds `amount` to counter `key` now and resolves to its fleet-wide total over the last `windowSeconds`,
   * this hit included. The window is counted in twelfths of it, so the total is exact to one twelfth.
   */
  hit(key: string, windowSeconds: number, amount?: number): Promise<number>;
}

/** A record and the revision it was read at (for compare-and-set). */
export interface SharedRecord {
  value: string;
  revision: number;
}

/** Small records with compare-and-set, so that two nodes deciding at once cannot both win. */
export interface SharedRecords {
  get(key: string): Promise<SharedRecord | undefined>;
  /** Stores a new record; false when the key exists already (another node was first). */
  create(key: string, value: string): Promise<boolean>;
  /** Replaces the record if it is still at `revision`; false when it changed meanwhile. */
  update(key: string, value: string, revision: number): Promise<boolean>;
}

/** The shared state cannot be reached now (NATS down or slow); callers decide whether to fail open. */
export class FleetStateUnavailable extends Error {
  constructor(detail: string, options?: ErrorOptions) {
    super(`fleet state unavailable: ${detail}`, options);
    this.name = 'FleetStateUnavailable';
  }
}
