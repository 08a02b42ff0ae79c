/**
 * The fleet-wide bulk checksum store (what a DCC server is): counts sightings of checksums over a time
 * window across every node, and holds the deny list fed by admins' "report spam". The node passes a
 * JetStream KV implementation (`@moat/fuzzy-store`); unit tests use `MemoryFuzzyStore`.
 */
export interface FuzzyStore {
  /**
   * Counts one sighting of each checksum and resolves to each one's fleet-wide count over the last
   * `windowSeconds`, this sighting included. An implementation may answer from a short local cache.
   */
  record(checksums: readonly string[], windowSeconds: number): Promise<number[]>;
  /** Which of these checksums are on the deny list. */
  denied(checksums: readonly string[]): Promise<boolean[]>;
  /** Adds checksums to the fleet-wide deny list (admin "report spam"). */
  deny(checksums: readonly string[], reason: string): Promise<void>;
}

/** A single-process store: counts and the deny list in memory. */
export class MemoryFuzzyStore implements FuzzyStore {
  private readonly sightings = new Map<string, number[]>();
  private readonly denyList = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  record(checksums: readonly string[], windowSeconds: number): Promise<number[]> {
    const at = this.now();
    const since = at - windowSeconds * 1000;
    return Promise.resolve(
      checksums.map((checksum) => {
        const times = (this.sightings.get(checksum) ?? []).filter((t) => t > since);
        times.push(at);
        this.sightings.set(checksum, times);
        return times.length;
      }),
    );
  }

  denied(checksums: readonly string[]): Promise<boolean[]> {
    return Promise.resolve(checksums.map((checksum) => this.denyList.has(checksum)));
  }

  deny(checksums: readonly string[]): Promise<void> {
    for (const checksum of checksums) this.denyList.add(checksum);
    return Promise.resolve();
  }
}
