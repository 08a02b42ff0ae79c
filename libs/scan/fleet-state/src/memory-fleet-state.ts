import type { FleetState, SharedRecord, SharedRecords, WindowCounters } from './fleet-state.js';
import { addToSlots, totalWithin, type WindowSlots } from './window-slots.js';

/** One process's state: for unit tests and `moat scan` (several messages of one run share it). */
export class MemoryFleetState implements FleetState {
  readonly counters: WindowCounters;
  readonly greylist: SharedRecords;
  readonly authBlocks: SharedRecords;
  readonly accounts: SharedRecords;

  constructor(now: () => number = Date.now) {
    const slots = new Map<string, WindowSlots>();
    this.counters = {
      hit: (key, windowSeconds, amount = 1) => {
        const at = now();
        const next = addToSlots(slots.get(`${key}/${windowSeconds}`) ?? {}, amount, at, windowSeconds);
        slots.set(`${key}/${windowSeconds}`, next);
        return Promise.resolve(totalWithin(next, at, windowSeconds));
      },
    };
    this.greylist = new MemoryRecords();
    this.authBlocks = new MemoryRecords();
    this.accounts = new MemoryRecords();
  }
}

class MemoryRecords implements SharedRecords {
  private readonly records = new Map<string, SharedRecord>();
  private revision = 0;

  get(key: string): Promise<SharedRecord | undefined> {
    return Promise.resolve(this.records.get(key));
  }

  create(key: string, value: string): Promise<boolean> {
    if (this.records.has(key)) return Promise.resolve(false);
    this.records.set(key, { value, revision: ++this.revision });
    return Promise.resolve(true);
  }

  update(key: string, value: string, revision: number): Promise<boolean> {
    if (this.records.get(key)?.revision !== revision) return Promise.resolve(false);
    this.records.set(key, { value, revision: ++this.revision });
    return Promise.resolve(true);
  }
}
