import type { SharedRecords } from '@moat/fleet-state';

/** A triplet's first attempt, and an auto-allowed (network, sender domain) pair's last confirmation. */
interface Stamp {
  atMs: number;
}

export type GreylistDecision =
  | { pass: true; symbol: 'GREYLIST_PASS' | 'GREYLIST_AUTO_ALLOWED'; detail: string }
  | { pass: false; detail: string };

export interface GreylistQuery {
  network: string;
  /** Envelope sender, lower case; "<>" for the null sender. */
  sender: string;
  senderDomain: string;
  recipient: string;
  delaySeconds: number;
  retryWindowSeconds: number;
  autoAllowSeconds: number;
  nowMs: number;
}

/** Auto-allowed pairs seen lately, per store: repeat senders cost no round trip for a minute. */
const recentlyAllowed = new WeakMap<SharedRecords, Map<string, number>>();
const LOCAL_ALLOW_MS = 60_000;

/**
 * Greylisting (postgrey's algorithm) over fleet-wide records: the first attempt of a (network, sender,
 * recipient) triplet is deferred; a retry after `delaySeconds` and within `retryWindowSeconds` passes and
 * auto-allows the network for the sender's domain for `autoAllowSeconds` (refreshed by use). A retry that
 * comes too late starts over. Compare-and-set keeps two nodes deciding at once consistent.
 */
export async function greylist(records: SharedRecords, q: GreylistQuery): Promise<GreylistDecision> {
  const pairKey = `allow ${q.network} ${q.senderDomain}`;
  const local = recentlyAllowed.get(records) ?? new Map<string, number>();
  recentlyAllowed.set(records, local);
  if ((local.get(pairKey) ?? 0) > q.nowMs) return { pass: true, symbol: 'GREYLIST_AUTO_ALLOWED', detail: `${q.network} for ${q.senderDomain} (cached)` };

  const pair = await records.get(pairKey);
  const pairStamp = pair ? readStamp(pair.value) : undefined;
  if (pair && pairStamp && q.nowMs - pairStamp.atMs < q.autoAllowSeconds * 1000) {
    // Refreshed at most daily: the period runs from the last use, without a write per message.
    if (q.nowMs - pairStamp.atMs > 86_400_000) await records.update(pairKey, stamp(q.nowMs), pair.revision);
    remember(local, pairKey, q.nowMs);
    return { pass: true, symbol: 'GREYLIST_AUTO_ALLOWED', detail: `${q.network} for ${q.senderDomain}` };
  }

  const tripletKey = `triplet ${q.network} ${q.sender} ${q.recipient}`;
  const triplet = await records.get(tripletKey);
  const first = triplet ? readStamp(triplet.value) : undefined;
  if (!triplet || !first) {
    if (triplet) await records.update(tripletKey, stamp(q.nowMs), triplet.revision);
    else await records.create(tripletKey, stamp(q.nowMs));
    return { pass: false, detail: `first attempt of ${q.network} ${q.sender} -> ${q.recipient}` };
  }
  const ageSeconds = (q.nowMs - first.atMs) / 1000;
  if (ageSeconds < q.delaySeconds) return { pass: false, detail: `retry after ${Math.ceil(q.delaySeconds - ageSeconds)} s more` };
  if (ageSeconds > q.delaySeconds + q.retryWindowSeconds) {
    await records.update(tripletKey, stamp(q.nowMs), triplet.revision);
    return { pass: false, detail: `retry came after the retry window; starting over` };
  }
  if (pair) await records.update(pairKey, stamp(q.nowMs), pair.revision);
  else await records.create(pairKey, stamp(q.nowMs));
  remember(local, pairKey, q.nowMs);
  return { pass: true, symbol: 'GREYLIST_PASS', detail: `retried after ${Math.round(ageSeconds)} s` };
}

function remember(local: Map<string, number>, key: string, nowMs: number): void {
  local.set(key, nowMs + LOCAL_ALLOW_MS);
  if (local.size > 10_000) local.delete(local.keys().next().value as string);
}

const stamp = (atMs: number): string => JSON.stringify({ atMs } satisfies Stamp);

function readStamp(text: string): Stamp | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && 'atMs' in value && typeof value.atMs === 'number' ? { atMs: value.atMs } : undefined;
  } catch {
    return undefined;
  }
}
