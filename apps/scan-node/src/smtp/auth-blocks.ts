import { authBlockActive, authBlockKey, parseAuthBlock, type AuthBlock } from '@moat/bus';
import { FleetStateUnavailable, type SharedRecords } from '@moat/fleet-state';

/** A refused AUTH moves the block's `lastSeenMs` at most this often (each move is a KV write). */
const LAST_SEEN_STEP_MS = 10_000;
const CAS_ATTEMPTS = 8;

/** What a node knows of an address: its block (undefined when it never had one) and the epoch its failures count in. */
export interface AddressState {
  block: AuthBlock | undefined;
  epoch: number;
}

/**
 * The fleet's AUTH blocks (moat_auth_blocks, see AuthBlock in @moat/bus) as a node reads and writes them:
 * `state` on each AUTH, `trip` when an address's failures reach the policy's threshold, `seen` when a blocked
 * address tries again. Writes are compare-and-set, so two nodes tripping at once count one block.
 */
export class AuthBlockList {
  constructor(private readonly records: SharedRecords) {}

  async state(ip: string): Promise<AddressState> {
    const record = await this.records.get(authBlockKey(ip));
    const block = record ? parseAuthBlock(record.value) : undefined;
    return { block, epoch: block?.epoch ?? 0 };
  }

  /** Blocks IP until NOW + BLOCK_MS after FAILURES failures (auto, by RULE); an already active block only moves its last seen. */
  trip(ip: string, failures: number, rule: string, blockMs: number, country: string, now: number): Promise<AuthBlock> {
    return this.change(ip, (old) =>
      old && authBlockActive(old, now)
        ? { ...old, lastSeenMs: now }
        : {
            ip,
            firstSeenMs: old?.firstSeenMs ?? now,
            lastSeenMs: now,
            expiresAtMs: now + blockMs,
            failures: (old?.failures ?? 0) + failures,
            blocks: (old?.blocks ?? 0) + 1,
            source: 'auto',
            rule,
            country,
            epoch: old?.epoch ?? 0,
          },
    );
  }

  /** Notes a refused AUTH from BLOCK's address (at most every ten seconds). */
  async seen(block: AuthBlock, now: number): Promise<void> {
    if (now - block.lastSeenMs < LAST_SEEN_STEP_MS) return;
    await this.change(block.ip, (old) => (old ? { ...old, lastSeenMs: now } : undefined));
  }

  /** Writes NEXT(the stored block) with compare-and-set; NEXT gives undefined when there is nothing to write. */
  private async change<T extends AuthBlock | undefined>(ip: string, next: (old: AuthBlock | undefined) => T): Promise<T> {
    const key = authBlockKey(ip);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const record = await this.records.get(key);
      const old = record ? parseAuthBlock(record.value) : undefined;
      const value = next(old);
      if (!value) return value;
      const text = JSON.stringify(value);
      if (record ? await this.records.update(key, text, record.revision) : await this.records.create(key, text)) return value;
    }
    throw new FleetStateUnavailable(`the block of ${ip} kept changing under ${CAS_ATTEMPTS} attempts`);
  }
}
