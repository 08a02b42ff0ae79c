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

  it('reads a long dictionary before many stream keywords once, and still inflates the real stream after them', () => {
    const junk = `4 0 obj << /Filter /FlateDecode /Junk (${'x'.repeat(2_000_000)}) >> ${'stream\n'.repeat(1500)}endstream endobj`;
    expect(symbols(pdf(junk))).toEqual([]);
    const hidden = deflateSync(Buffer.from('<< /S /Launch /F (payload.exe) >>'));
    const objectStream = Buffer.concat([Buffer.from('3 0 obj << /Type /ObjStm /Filter /FlateDecode >> stream\n'), hidden, Buffer.from('\nendstream endobj\n')]);
    expect(symbols(pdf(junk, objectStream))).toEqual(['PDF_LAUNCH']);
  });

  it('returns embedded files, also when a dictionary is read in pieces', () => {
    const file = (between: string) => pdf(`5 0 obj << /Type /EmbeddedFile /Length 5 >> stream\n${between}hello\nendstream endobj`);
    const contents = (between: string) => pdfActiveContent.analyze(file(between), PDF_TYPE, 1024 * 1024).embedded.map((e) => e.content.toString());
    expect(contents('')).toEqual(['hello\n']);
    // A second keyword in the data: its dictionary runs from the same "obj", so it is read as an embedded file too.
    expect(contents('stream\n')).toEqual(['stream\nhello\n', 'hello\n']);
  });

  it('finds nothing in a plain document, nor in a name that only starts with Launch', () => {
    expect(symbols(pdf('1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj', '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj'))).toEqual([]);
    expect(symbols(pdf('1 0 obj << /Type /Catalog /LaunchPad (x) >> endobj'))).toEqual([]);
  });
});
