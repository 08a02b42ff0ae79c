import { defineConfig } from 'vitest/config';

// One Vitest run covers every project: unit specs beside the code (*.spec.ts) and the integration and
// end-to-end suites under test/ that start real services (those spawn the built apps, so they run after the
// build). Our libraries resolve to their TypeScript sources through the "moat-source" export condition, so a
// spec tests the code beside it, never a stale dist/. Vitest runs tests in Vite's SSR environment, which takes
// its conditions from `ssr.resolve`; Vite's default conditions follow ours.
const conditions = ['moat-source', 'module', 'node', 'development|production'];
export const resolve = { conditions };
export const ssr = { resolve: { conditions, externalConditions: ['moat-source'] } };

export default defineConfig({
  test: {
    projects: [
      { resolve, ssr, test: { name: 'unit', include: ['libs/**/src/**/*.spec.ts', 'apps/{scan-node,csm,cli}/src/**/*.spec.ts'] } },
      {
        resolve,
        ssr,
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
