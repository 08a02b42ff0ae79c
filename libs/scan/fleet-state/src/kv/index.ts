export { KvFleetState, type KvFleetStateOptions } from './kv-fleet-state.js';
