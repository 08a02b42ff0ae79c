import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TrueType } from '../filetype/type-kind.js';
import { pdfActiveContent } from './pdf-active.js';

const PDF_TYPE: TrueType = { mime: 'application/pdf', ext: 'pdf', kind: 'pdf' };
const symbols = (pdf: Buffer): string[] => pdfActiveContent.analyze(pdf, PDF_TYPE, 1024 * 1024).issues.map((i) => i.symbol);

function pdf(...objects: (string | Buffer)[]): Buffer {
  return Buffer.concat([Buffer.from('%PDF-1.7\n'), ...objects.map((o) => (Buffer.isBuffer(o) ? o : Buffer.from(`${o}\n`))), Buffer.from('trailer << /Root 1 0 R >>\n%%EOF\n')]);
}

const LAUNCH = '2 0 obj << /Type /Action /S /Launch /Win << /F (cmd.exe) /P (/c calc) >> >> endobj';

describe('PDF active content', () => {
  it('flags a Launch action, written plainly or with #xx escapes in the name', () => {
    expect(symbols(pdf('1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj', LAUNCH))).toEqual(['PDF_OPEN_ACTION', 'PDF_LAUNCH']);
    expect(symbols(pdf('1 0 obj << /Type /Catalog >> endobj', '2 0 obj << /S /La#75n#63h /F (run.bat) >> endobj'))).toEqual(['PDF_LAUNCH']);
  });

  it('flags a Launch action hidden in a Flate-compressed object stream', () => {
    const hidden = deflateSync(Buffer.from('<< /S /Launch /F (payload.exe) >>'));
    const objectStream = Buffer.concat([Buffer.from(`3 0 obj << /Type /ObjStm /N 1 /First 0 /Filter /FlateDecode /Length ${hidden.length} >> stream\n`), hidden, Buffer.from('\nendstream endobj\n')]);
    expect(symbols(pdf('1 0 obj << /Type /Catalog >> endobj', objectStream))).toEqual(['PDF_LAUNCH']);
  });

  it('finds nothing in a plain document, nor in a name that only starts with Launch', () => {
    expect(symbols(pdf('1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj', '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj'))).toEqual([]);
    expect(symbols(pdf('1 0 obj << /Type /Catalog /LaunchPad (x) >> endobj'))).toEqual([]);
  });
});
