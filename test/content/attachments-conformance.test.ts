import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashDbEngine, inspectMessage, scanWithEngines, type Finding } from '@moat/content';
import { createHash } from 'node:crypto';
import { startClamd, type RunningClamd } from './support/clamd.js';
import { CORPUS_BODY, CORPUS_DIR, corpusSamples } from './support/corpus.js';
import { writeDocSection } from './support/doc-section.js';
import { expectationFor } from './support/expectations.js';
import { messageWithAttachment } from './support/message.js';

// Every file of the shared attachment corpus, mailed as an attachment and run through stage 2 (inspection)
// and stage 4 (a real clamd with the offline signatures, and the SHA-256 database) like the node does.

interface Row {
  file: string;
  symbols: string[];
  expected: string[];
  never: string[];
  leaves: number;
  ms: number;
}

describe('attachment corpus through @moat/content and clamd', () => {
  let clamd: RunningClamd;
  const rows: Row[] = [];
  const files = corpusSamples();

  beforeAll(async () => {
    clamd = await startClamd();
  });
  afterAll(async () => {
    await clamd?.stop();
    writeDocSection('corpus', table(rows));
  });

  it('covers the whole corpus', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it.each(files)('%s', async (file) => {
    const content = readFileSync(join(CORPUS_DIR, file));
    const raw = messageWithAttachment(content, file, CORPUS_BODY);
    const started = performance.now();
    const report = await inspectMessage(raw);
    const hashDb = new HashDbEngine([], 'test');
    const av = await scanWithEngines([clamd.engine, hashDb], [{ path: '', sha256: createHash('sha256').update(raw).digest('hex'), content: raw }, ...report.files]);
    const findings: Finding[] = [...report.findings, ...av];
    const symbols = [...new Set(findings.map((f) => f.symbol))].sort();
    const expectation = expectationFor(file);
    rows.push({ file, symbols, expected: expectation.symbols, never: expectation.none ?? [], leaves: report.files.length, ms: Math.round(performance.now() - started) });

    expect(report.complete).toBe(true);
    expect(symbols).not.toContain('AV_UNAVAILABLE');
    for (const symbol of expectation.symbols) expect(symbols, `${file}: ${JSON.stringify(findings, null, 1)}`).toContain(symbol);
    for (const symbol of expectation.none ?? []) expect(symbols, `${file}: ${JSON.stringify(findings, null, 1)}`).not.toContain(symbol);
  });
});

function table(rows: readonly Row[]): string {
  const lines = [
    '## Corpus',
    '',
    'Every file of `shared/conformance/attachments` mailed as a base64 attachment (text body naming the',
    'passwords `infected`, `infected-test`, `TestData`) and run through `@moat/content` (`inspectMessage`)',
    'and a real clamd (offline signatures from `scripts/clamav-db.mjs`) plus the SHA-256 engine.',
    'Written by `MOAT_WRITE_CONFORMANCE_DOC=1 npx vitest run test/content/attachments-conformance.test.ts`;',
    'the test fails when an expected symbol is missing. "files" counts what was inspected at every depth',
    '(message body, attachment, archive members, embedded objects).',
    '',
    `${rows.length} files, ${rows.filter((r) => r.symbols.includes('AV_VIRUS')).length} with an antivirus hit.`,
    '',
    '| file | must fire | must not fire | fired | files | ms |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| \`${r.file}\` | ${r.expected.join(' ') || '-'} | ${r.never.join(' ') || '-'} | ${r.symbols.join(' ') || '-'} | ${r.leaves} | ${r.ms} |`),
    '',
  ];
  return lines.join('\n');
}
