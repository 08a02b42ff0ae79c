/** Sightings of one checksum per 5-minute slot: slot start (epoch seconds) -> count. */
export type SlotCounts = Record<string, number>;

export const SLOT_SECONDS = 300;

const slotOf = (nowMs: number): number => Math.floor(nowMs / 1000 / SLOT_SECONDS) * SLOT_SECONDS;

/** Adds `count` sightings at `nowMs` and drops slots older than `retentionSeconds`; returns a new object. */
export function addSightings(slots: SlotCounts, count: number, nowMs: number, retentionSeconds: number): SlotCounts {
  const oldest = slotOf(nowMs) - retentionSeconds;
  const next: SlotCounts = {};
  for (const [slot, n] of Object.entries(slots)) if (Number(slot) >= oldest) next[slot] = n;
  const current = String(slotOf(nowMs));
  next[current] = (next[current] ?? 0) + count;
  return next;
}

/** Sightings in the slots that overlap the last `windowSeconds`. */
export function countWithin(slots: SlotCounts, nowMs: number, windowSeconds: number): number {
  const oldest = slotOf(nowMs - windowSeconds * 1000);
  let total = 0;
  for (const [slot, n] of Object.entries(slots)) if (Number(slot) >= oldest) total += n;
  return total;
}

/** Parses a stored value; anything malformed counts as no sightings rather than failing the scan. */
export function parseSlots(text: string): SlotCounts {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    const slots: SlotCounts = {};
    for (const [slot, n] of Object.entries(value)) if (/^\d+$/.test(slot) && typeof n === 'number' && Number.isFinite(n) && n > 0) slots[slot] = n;
    return slots;
  } catch {
    return {};
  }
}
