export * from './names.js';
export * from './setup.js';
export * from './kv.js';
export * from './export-event.js';
export * from './auth-blocks.js';
export * from './replicas.js';
export * from './account-signs.js';
