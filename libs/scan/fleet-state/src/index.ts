export { FleetStateUnavailable, type FleetState, type SharedRecord, type SharedRecords, type WindowCounters } from './fleet-state.js';
export { MemoryFleetState } from './memory-fleet-state.js';
export { addToSlots, parseSlots, slotMs, totalWithin, type WindowSlots } from './window-slots.js';
