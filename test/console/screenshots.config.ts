import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { resolve, ssr } from '../../vitest.config.js';

// `npm run screenshots`: test/console/screenshots.ts alone (not part of `npm test`: it rewrites docs/console/).
export default defineConfig({
  resolve,
  ssr,
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/console/screenshots.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
