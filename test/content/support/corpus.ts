import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The shared attachment corpus: every sample file, as paths relative to it, in name order. */
export const CORPUS_DIR = resolve(import.meta.dirname, '../../../../shared/conformance/attachments');

/** The text body the samples are mailed with: it names the passwords of the encrypted samples. */
export const CORPUS_BODY = 'Hello, the file you asked for.\r\nPassword: infected\r\nPassword: infected-test\r\nPassword: TestData\r\n';

const NOT_SAMPLES = /(^|\/)(LICENSE[^/]*|COPYRIGHT[^/]*|SOURCE\.txt)$/;

export function corpusSamples(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [relative(CORPUS_DIR, path)];
    });
  return walk(CORPUS_DIR)
    .filter((f) => !NOT_SAMPLES.test(f))
    .sort();
}
