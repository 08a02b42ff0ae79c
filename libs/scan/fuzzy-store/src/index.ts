export { KvFuzzyStore, type KvFuzzyStoreOptions } from './kv-fuzzy-store.js';
export { addSightings, countWithin, SLOT_SECONDS, type SlotCounts } from './slot-counts.js';
