import { describe, expect, it } from 'vitest';
import { MemoryFleetState } from './memory-fleet-state.js';
import { addToSlots, parseSlots, totalWithin } from './window-slots.js';

describe('window slots', () => {
  it('counts hits inside the window and forgets those that left it', () => {
    let slots = addToSlots({}, 1, 0, 60);
    slots = addToSlots(slots, 2, 30_000, 60);
    expect(totalWithin(slots, 30_000, 60)).toBe(3);
    expect(totalWithin(slots, 65_000, 60)).toBe(2);
    slots = addToSlots(slots, 1, 200_000, 60);
    expect(Object.keys(slots)).toHaveLength(1);
  });

  it('reads damaged stored slots as empty', () => {
    expect(parseSlots('not json')).toEqual({});
    expect(parseSlots('{"1000":"x","2000":3}')).toEqual({ '2000': 3 });
  });
});

describe('MemoryFleetState', () => {
  it('counts per key and window', async () => {
    let now = 1_000_000;
    const state = new MemoryFleetState(() => now);
    expect(await state.counters.hit('ip 192.0.2.1', 60)).toBe(1);
    expect(await state.counters.hit('ip 192.0.2.1', 60, 2)).toBe(3);
    expect(await state.counters.hit('ip 192.0.2.2', 60)).toBe(1);
    now += 61_000;
    expect(await state.counters.hit('ip 192.0.2.1', 60)).toBe(1);
  });

  it('creates a record once and updates it only at the revision read', async () => {
    const { greylist } = new MemoryFleetState();
    expect(await greylist.create('t', 'a')).toBe(true);
    expect(await greylist.create('t', 'b')).toBe(false);
    const read = await greylist.get('t');
    expect(read?.value).toBe('a');
    expect(await greylist.update('t', 'c', read!.revision)).toBe(true);
    expect(await greylist.update('t', 'd', read!.revision)).toBe(false);
    expect((await greylist.get('t'))?.value).toBe('c');
  });
});
