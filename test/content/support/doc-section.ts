import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const DOC = resolve(import.meta.dirname, '../../../docs/attachments-conformance.md');

/**
 * Replaces one generated section of docs/attachments-conformance.md (between `<!-- name:start -->` and
 * `<!-- name:end -->`) when MOAT_WRITE_CONFORMANCE_DOC=1; test runs otherwise leave the committed doc alone.
 */
export function writeDocSection(name: string, markdown: string): void {
  if (process.env['MOAT_WRITE_CONFORMANCE_DOC'] !== '1') return;
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Attachment conformance\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  writeFileSync(DOC, from !== -1 && to !== -1 ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`);
}
