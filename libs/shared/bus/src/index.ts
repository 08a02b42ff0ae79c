export * from './names.js';
export * from './setup.js';
