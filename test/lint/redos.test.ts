import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Patterns that can backtrack super-linearly are errors in every project and in the files outside them
// (root eslint.config.js, eslint-plugin-regexp). Each case lints source text as if it sat at that path
// (nothing is written to the tree) and checks the verdict.
const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function regexpErrors(file: string, pattern: string): Promise<string[]> {
  const code = `export const probe = (text: string): boolean => ${pattern}.test(text);\n`;
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return result.messages.filter((m) => m.severity === 2 && m.ruleId?.startsWith('regexp/')).map((m) => m.ruleId ?? '');
}

const places = ['libs/scan/classifier/src/redos-probe.ts', 'apps/scan-node/src/redos-probe.ts', 'apps/console/src/redos-probe.ts', 'test/redos-probe.ts', 'scripts/redos-probe.ts'];

describe('ReDoS lint', () => {
  it.each(places)('rejects the exponential pattern that stalled the classifier in %s', async (file) => {
    expect(await regexpErrors(file, String.raw`/\b(?:[a-z]*\d+[a-z]*){2,}\b/gi`)).toContain('regexp/no-super-linear-backtracking');
  });

  it.each([
    [String.raw`/(a+)+$/`, 'regexp/no-super-linear-backtracking'],
    [String.raw`/^\s*x\s*\??\s*$/`, 'regexp/no-super-linear-backtracking'],
    [String.raw`/\s+$/`, 'regexp/no-super-linear-move'],
    [String.raw`/<([^>]*)>/`, 'regexp/no-super-linear-move'],
  ])('rejects %s (%s)', async (pattern, rule) => {
    expect(await regexpErrors(places[0], pattern)).toContain(rule);
  });

  it.each([String.raw`/\b[a-z]*\d[a-z]*\d[a-z\d]*\b/gi`, String.raw`/(?<!\s)\s+$/`, String.raw`/<[^<>]*>/`])('accepts the linear form %s', async (pattern) => {
    expect(await regexpErrors(places[0], pattern)).toEqual([]);
  });
});
