export * from './schema.js';
export * from './validate.js';
export * from './lists.js';
export * from './net.js';
