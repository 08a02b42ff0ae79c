import { defineConfig } from 'vitest/config';

// One Vitest run covers every project: unit specs beside the code (*.spec.ts) and the integration and
// end-to-end suites under test/ that start real services. Libraries resolve to their TypeScript sources
// through the "moat-source" export condition, so unit tests need no build.
const resolve = { conditions: ['moat-source'] };

export default defineConfig({
  test: {
    projects: [
      { resolve, test: { name: 'unit', include: ['libs/**/src/**/*.spec.ts', 'apps/{scan-node,csm,cli}/src/**/*.spec.ts'] } },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
