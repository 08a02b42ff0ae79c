import { describe, expect, it } from 'vitest';
import { addSightings, countWithin, parseSlots, SLOT_SECONDS } from './slot-counts.js';

const minute = 60_000;

describe('slot counts', () => {
  it('adds sightings to the current 5-minute slot and counts the window', () => {
    let slots = addSightings({}, 2, 0, 3600);
    slots = addSightings(slots, 1, 4 * minute, 3600);
    slots = addSightings(slots, 5, 30 * minute, 3600);
    expect(slots).toEqual({ '0': 3, [String(6 * SLOT_SECONDS)]: 5 });
    expect(countWithin(slots, 30 * minute, 3600)).toBe(8);
    expect(countWithin(slots, 70 * minute, 3600)).toBe(5);
  });

  it('drops slots past the retention', () => {
    expect(addSightings({ '0': 9 }, 1, 120 * minute, 3600)).toEqual({ [String(24 * SLOT_SECONDS)]: 1 });
  });

  it('reads malformed stored values as no sightings', () => {
    expect(parseSlots('{')).toEqual({});
    expect(parseSlots('[1]')).toEqual({});
    expect(parseSlots('{"300":2,"x":1,"600":-1,"900":"3"}')).toEqual({ '300': 2 });
  });
});
