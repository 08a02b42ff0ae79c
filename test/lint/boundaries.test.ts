import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The module boundaries of docs/architecture.md are enforced by the root eslint.config.js. Each case lints
// source text as if it sat in a project's src/ (nothing is written to the tree) and checks the rule's verdict.
const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, importedPackage: string): Promise<string[]> {
  const code = `import * as imported from '${importedPackage}';\nexport const probe = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  it.each([
    ['apps/csm/src/boundary-probe.ts', '@moat/pipeline', 'scope:csm'],
    // @moat/classifier imports none of our packages, so this can only be a tag violation, never a cycle.
    ['libs/shared/bus/src/boundary-probe.ts', '@moat/classifier', 'scope:shared'],
    ['apps/console/src/boundary-probe.ts', '@moat/policy', 'scope:console'],
  ])('%s may not import %s', async (file, importedPackage, sourceTag) => {
    const errors = await boundaryErrors(file, importedPackage);
    expect(errors).toEqual([expect.stringMatching(`^A project tagged with "${sourceTag}" (can only|cannot) depend on`)]);
  });

  it.each([
    ['apps/scan-node/src/boundary-probe.ts', '@moat/pipeline'],
    ['apps/cli/src/boundary-probe.ts', '@moat/pipeline'],
    ['apps/csm/src/boundary-probe.ts', '@moat/policy'],
    ['libs/scan/pipeline/src/boundary-probe.ts', '@moat/policy'],
  ])('%s may import %s', async (file, importedPackage) => {
    expect(await boundaryErrors(file, importedPackage)).toEqual([]);
  });
});
