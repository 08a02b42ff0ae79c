import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectTrueType } from '../filetype/true-type.js';
import { inspectMessage } from '../inspect.js';
import { buildHwp, buildZip } from '../testing/index.js';
import { extractTexts, fileText } from './extract-text.js';
import { xmlText } from './xml-text.js';

// The shared conformance samples lie beside the checkout (../shared).
const SHARED = fileURLToPath(new URL('../../../../../../shared/', import.meta.url));
const HWP_SAMPLES = `${SHARED}conformance/attachments/hwp/`;

async function textOf(content: Buffer): Promise<string | undefined> {
  return fileText({ type: await detectTrueType(content), content }, 1 << 20);
}

function ooxml(mainType: string, parts: Record<string, string>): Buffer {
  const main = Object.keys(parts)[0]!;
  const types = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/${main}" ContentType="${mainType}"/></Types>`;
  return buildZip([{ name: '[Content_Types].xml', data: Buffer.from(types) }, ...Object.entries(parts).map(([name, xml]) => ({ name, data: Buffer.from(xml) }))]);
}

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml';

function pdf(streams: Array<{ content: string; flate?: boolean }>): Buffer {
  const objects = streams.map(({ content, flate }, i) => {
    const body = flate ? deflateSync(Buffer.from(content, 'latin1')) : Buffer.from(content, 'latin1');
    return Buffer.concat([Buffer.from(`${i + 4} 0 obj\n<< /Length ${body.length}${flate ? ' /Filter /FlateDecode' : ''} >>\nstream\n`), body, Buffer.from('\nendstream\nendobj\n')]);
  });
  return Buffer.concat([Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'), ...objects, Buffer.from('trailer\n<< /Root 1 0 R >>\n%%EOF\n')]);
}

describe('fileText', () => {
  it('reads a docx: runs of one paragraph joined, paragraphs and cells apart, entities decoded', async () => {
    const docx = ooxml(DOCX, {
      'word/document.xml': '<w:document><w:body><w:p><w:r><w:t>주민 9001</w:t></w:r><w:r><w:t>01-1234568</w:t></w:r></w:p><w:p><w:r><w:t>A &amp; B &#xD55C;</w:t></w:r></w:p></w:body></w:document>',
      'word/styles.xml': '<w:styles><w:name>not text</w:name></w:styles>',
    });
    expect(await textOf(docx)).toBe('주민 900101-1234568\nA & B 한\n');
  });

  it('reads a pptx slide and its notes', async () => {
    const pptx = ooxml(PPTX, {
      'ppt/presentation.xml': '<p:presentation/>',
      'ppt/slides/slide1.xml': '<p:sld><a:p><a:r><a:t>010-1234-5678</a:t></a:r></a:p></p:sld>',
      'ppt/notesSlides/notesSlide1.xml': '<p:notes><a:p><a:r><a:t>note</a:t></a:r></a:p></p:notes>',
    });
    expect(await textOf(pptx)).toBe('010-1234-5678\n\nnote\n');
  });

  it('reads HWP 5 body text records, compressed or not, and a real Hangul document', async () => {
    expect(await textOf(buildHwp({ paragraphs: ['주민등록번호 900101-1234568', '둘째 문단'] }))).toBe(' 주민등록번호 900101-1234568\n\n 둘째 문단\n');
    expect(await textOf(buildHwp({ compressed: false, paragraphs: ['x'.repeat(5000)] }))).toContain('x'.repeat(5000));
    expect(await textOf(buildHwp({ password: true, paragraphs: ['secret'] }))).toBe('');
    expect(await textOf(readFileSync(`${HWP_SAMPLES}hello_world.hwp`))).toContain('Hello World!');
    expect(await textOf(readFileSync(`${HWP_SAMPLES}draw_text.hwp`))).toContain('글상자1');
  });

  it('reads HWPX sections (the zip-packaged Hangul format)', async () => {
    const hwpx = buildZip([
      { name: 'mimetype', data: Buffer.from('application/hwp+zip') },
      { name: 'Contents/header.xml', data: Buffer.from('<hh:head><hh:fontface>not text</hh:fontface></hh:head>') },
      { name: 'Contents/section0.xml', data: Buffer.from('<hs:sec><hp:p><hp:run><hp:t>여권 M1234</hp:t><hp:t>5678</hp:t></hp:run></hp:p><hp:p><hp:run><hp:t>끝</hp:t></hp:run></hp:p></hs:sec>') },
    ]);
    expect((await detectTrueType(hwpx)).ext).toBe('hwpx');
    expect(await textOf(hwpx)).toBe('여권 M12345678\n끝\n');
  });

  it('reads the strings a PDF shows from stored and Flate streams; skips other filters', async () => {
    const file = pdf([
      { content: 'BT /F1 12 Tf 72 700 Td (card 4111 1111) Tj [(1111 ) -20 (1111)] TJ ET' },
      { content: 'BT (escaped \\(paren\\) \\101) Tj ET', flate: true },
    ]);
    expect((await textOf(file))?.split('\n').filter(Boolean)).toEqual(['card 4111 1111', '1111 1111', 'escaped (paren) A']);
    expect(await textOf(Buffer.from(pdf([{ content: 'BT (hidden) Tj ET' }]).toString('latin1').replace('/Length', '/Filter /DCTDecode /Length'), 'latin1'))).toBe('');
  });

  it('reads plain text in UTF-8, UTF-16 with a BOM and EUC-KR, and HTML without its tags', async () => {
    expect(await textOf(Buffer.from('전화 010-1234-5678'))).toBe('전화 010-1234-5678');
    expect(await textOf(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('전화', 'utf16le')]))).toBe('전화');
    expect(await textOf(Buffer.from([0xc0, 0xfc, 0xc8, 0xad, 0x20, 0x30]))).toBe('전화 0');
    expect(await textOf(Buffer.from('<html><body><p>a<b>1</b>2</p><p>b</p></body></html>'))).toBe('a12\nb\n');
  });

  it('gives no text, never an error, for damaged documents', () => {
    const docx = ooxml(DOCX, { 'word/document.xml': '<w:p><w:t>x</w:t></w:p>' });
    const hwp = buildHwp({ paragraphs: ['x'] });
    const as = (ext: string, kind: 'word' | 'hwp' | 'pdf', container?: 'zip') => ({ mime: 'x/y', ext, kind, ...(container ? { container } : {}) });
    expect(fileText({ type: as('docx', 'word', 'zip'), content: docx.subarray(0, docx.length - 30) }, 100)).toBe('');
    expect(fileText({ type: as('hwp', 'hwp'), content: hwp.subarray(0, 600) }, 100)).toBe('');
    expect(fileText({ type: as('pdf', 'pdf'), content: Buffer.from('%PDF-1.4\n<< /Filter /FlateDecode >>\nstream\nnot zlib\nendstream') }, 100)).toBe('');
  });

  it('has no text for other types', async () => {
    expect(await textOf(Buffer.from('MZ'.padEnd(200, '\0'), 'latin1'))).toBeUndefined();
  });
});

describe('extractTexts', () => {
  it('reads a docx inside a zip once, as a document, and every archive member', async () => {
    const docx = ooxml(DOCX, { 'word/document.xml': '<w:document><w:p><w:t>inside</w:t></w:p></w:document>' });
    const zip = buildZip([{ name: 'a.docx', data: docx }, { name: 'b.txt', data: Buffer.from('plain member') }]);
    const message = Buffer.from(
      ['Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'body text', '--b', 'Content-Type: application/zip; name="d.zip"', 'Content-Transfer-Encoding: base64', '', zip.toString('base64'), '--b--', ''].join('\r\n'),
    );
    const report = await inspectMessage(message);
    const extraction = extractTexts(report.files);
    expect(extraction.texts.map((t) => [t.path, t.format, t.text.trim()])).toEqual([
      ['1', 'txt', 'body text'],
      ['2/a.docx', 'docx', 'inside'],
      ['2/b.txt', 'txt', 'plain member'],
    ]);
    expect(extraction.truncated).toBe(false);
  });

  it('stops at the character limit and says so', async () => {
    const type = await detectTrueType(Buffer.from('text'));
    const files = ['1', '2', '3'].map((path) => ({ path, name: '', type, content: Buffer.from('0123456789') }));
    const extraction = extractTexts(files, { maxChars: 15 });
    expect(extraction.texts.map((t) => t.text)).toEqual(['0123456789', '01234']);
    expect(extraction.truncated).toBe(true);
  });

  it('stays linear on hostile markup and PDFs', async () => {
    const started = performance.now();
    xmlText('<'.repeat(1 << 20));
    xmlText('&#'.repeat(1 << 19));
    await textOf(Buffer.from(`%PDF-1.4\n${'stream\n'.repeat(1 << 17)}`));
    await textOf(Buffer.from(`%PDF-1.4\nstream\nBT ${'('.repeat(1 << 20)}\nendstream`));
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
