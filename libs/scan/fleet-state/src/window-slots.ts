/** Counts of one counter per slot: slot start (epoch ms) -> count. */
export type WindowSlots = Record<string, number>;

/** Slots are a twelfth of the window (at least 1 s), so a sliding total is exact to one twelfth. */
export const slotMs = (windowSeconds: number): number => Math.max(1, Math.ceil(windowSeconds / 12)) * 1000;

/** Adds AMOUNT at NOWMS and drops slots that left the window; returns a new object. */
export function addToSlots(slots: WindowSlots, amount: number, nowMs: number, windowSeconds: number): WindowSlots {
  const size = slotMs(windowSeconds);
  const current = Math.floor(nowMs / size) * size;
  const oldest = current - windowSeconds * 1000;
  const next: WindowSlots = {};
  for (const [slot, count] of Object.entries(slots)) if (Number(slot) > oldest) next[slot] = count;
  next[current] = (next[current] ?? 0) + amount;
  return next;
}

/** The total of the slots still inside the window at NOWMS. */
export function totalWithin(slots: WindowSlots, nowMs: number, windowSeconds: number): number {
  const size = slotMs(windowSeconds);
  const oldest = Math.floor(nowMs / size) * size - windowSeconds * 1000;
  let total = 0;
  for (const [slot, count] of Object.entries(slots)) if (Number(slot) > oldest) total += count;
  return total;
}

/** Reads stored slots; anything malformed counts as empty rather than failing a message. */
export function parseSlots(text: string): WindowSlots {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1])));
  } catch {
    return {};
  }
}
