import { crc32 } from 'node:zlib';
import { describe, expect, it, afterAll } from 'vitest';
import { inspectMessage, type ContentReport } from '@moat/content';
import { writeDocSection } from './support/doc-section.js';
import { messageWithAttachment } from './support/message.js';
import { compressZeros } from './support/zeros.js';
import { buildOverlappingZip, buildZip } from '@moat/content/testing';

// Hostile inputs generated here: each must end in a verdict (a named finding) within the time bound, and the
// process's peak RSS must stay bounded. Peak RSS (getrusage maxrss) is monotonic, so each row reports the
// peak reached by the end of that case; the growth column is what that case added to the peak.
const TIME_BOUND_MS = 20_000;
const RSS_BOUND_MB = 1536;

interface Row {
  input: string;
  bytes: number;
  ms: number;
  peakRssMb: number;
  growthMb: number;
  symbols: string;
}
const rows: Row[] = [];

async function measure(input: string, raw: Buffer): Promise<ContentReport> {
  const before = process.resourceUsage().maxRSS / 1024;
  const started = performance.now();
  const report = await inspectMessage(raw);
  const ms = Math.round(performance.now() - started);
  const peak = process.resourceUsage().maxRSS / 1024;
  rows.push({ input, bytes: raw.length, ms, peakRssMb: Math.round(peak), growthMb: Math.round(peak - before), symbols: [...new Set(report.findings.map((f) => f.symbol))].join(' ') || '-' });
  expect(ms).toBeLessThan(TIME_BOUND_MS);
  expect(peak).toBeLessThan(RSS_BOUND_MB);
  return report;
}

function symbols(report: ContentReport): string[] {
  return report.findings.map((f) => f.symbol);
}

function message(headers: string[], body: string): Buffer {
  return Buffer.from([...headers, '', body].join('\r\n'));
}

describe('hostile inputs end in a finding, in bounded time and memory', () => {
  afterAll(() => {
    writeDocSection(
      'hostile',
      [
        '## Generated hostile inputs',
        '',
        `From \`test/content/hostile-inputs.test.ts\` (bounds: ${TIME_BOUND_MS} ms, peak RSS ${RSS_BOUND_MB} MB for the whole test process).`,
        '',
        '| input | message bytes | ms | peak RSS MB | RSS growth MB | symbols |',
        '|---|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.input} | ${r.bytes} | ${r.ms} | ${r.peakRssMb} | ${r.growthMb} | ${r.symbols} |`),
      ].join('\n'),
    );
  });

  it('zip bomb with 5,000 overlapping entries over one 100 MiB stream', async () => {
    const size = 100 * 1024 * 1024;
    const stream = await compressZeros(size, false);
    const zip = buildOverlappingZip(stream, size, crc32(Buffer.alloc(0)), 5000);
    const report = await measure('zip: 5,000 overlapping entries, 100 MiB each', messageWithAttachment(zip, 'bomb.zip', 'hi'));
    expect(report.findings).toContainEqual(expect.objectContaining({ symbol: 'ARCHIVE_BOMB', detail: expect.stringContaining('overlapping') }));
  });

  it('zip member that declares 1 KiB and inflates to 1 GiB', async () => {
    const stream = await compressZeros(1024 * 1024 * 1024, false);
    const zip = buildOverlappingZip(stream, 1024, 0, 1);
    const report = await measure('zip: member lies about its size (1 GiB)', messageWithAttachment(zip, 'liar.zip', 'hi'));
    expect(symbols(report)).toContain('ARCHIVE_BOMB');
  });

  it('gzip of 1 GiB of zeros', async () => {
    const gz = await compressZeros(1024 * 1024 * 1024, true);
    const report = await measure('gzip: 1 GiB of zeros', messageWithAttachment(gz, 'zeros.gz', 'hi'));
    expect(symbols(report)).toContain('ARCHIVE_BOMB');
  });

  it('zip nested 12 deep', async () => {
    let zip = buildZip([{ name: 'payload.txt', data: Buffer.from('deep inside') }]);
    for (let level = 1; level < 12; level++) zip = buildZip([{ name: `level${level}.zip`, data: zip }]);
    const report = await measure('zip nested 12 deep', messageWithAttachment(zip, 'nested.zip', 'hi'));
    expect(symbols(report)).toContain('ARCHIVE_DEPTH');
    expect(report.files.every((f) => f.depth <= 3)).toBe(true);
  });

  it('5,000 MIME parts', async () => {
    const parts = Array.from({ length: 5000 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}`).join('\r\n');
    const report = await measure('5,000 MIME parts', message(['From: a@example.org', 'Content-Type: multipart/mixed; boundary=b'], `${parts}\r\n--b--\r\n`));
    expect(report.complete).toBe(false);
    expect(report.findings).toContainEqual(expect.objectContaining({ symbol: 'MIME_LIMIT', detail: expect.stringContaining('MIME parts') }));
  });

  it('1 MiB header field', async () => {
    const report = await measure('1 MiB header field', message(['From: a@example.org', `X-Long: ${'a'.repeat(1024 * 1024)}`], 'body'));
    expect(report.complete).toBe(false);
    expect(symbols(report)).toContain('MIME_LIMIT');
  });

  it('4 MiB body line', async () => {
    const report = await measure('4 MiB body line', message(['From: a@example.org', 'Content-Type: text/plain'], 'x'.repeat(4 * 1024 * 1024)));
    expect(report.complete).toBe(true);
    expect(report.files).toHaveLength(1);
  });

  it('4 MiB line of base64 in an attachment', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64');
    const raw = message(
      ['From: a@example.org', 'Content-Type: multipart/mixed; boundary=b'],
      `--b\r\nContent-Type: application/octet-stream; name=blob.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${payload}\r\n--b--\r\n`,
    );
    const report = await measure('4 MiB base64 line', raw);
    expect(report.files.find((f) => f.name === 'blob.bin')?.size).toBe(3 * 1024 * 1024);
  });

  it('multipart nested 1,000 deep', async () => {
    let body = 'innermost';
    for (let depth = 1000; depth > 0; depth--) body = `--d${depth}\r\nContent-Type: multipart/mixed; boundary=d${depth + 1}\r\n\r\n${body}\r\n--d${depth}--`;
    const report = await measure('multipart nested 1,000 deep', message(['From: a@example.org', 'Content-Type: multipart/mixed; boundary=d1'], body));
    expect(report.complete).toBe(false);
    expect(report.findings).toContainEqual(expect.objectContaining({ symbol: 'MIME_LIMIT', detail: expect.stringContaining('nesting') }));
  });

  it('1,000 header fields plus one', async () => {
    const headers = Array.from({ length: 1001 }, (_, i) => `X-H${i}: v`);
    const report = await measure('1,001 header fields', message(['From: a@example.org', ...headers], 'body'));
    expect(symbols(report)).toContain('MIME_LIMIT');
  });
});
