import { describe, expect, it } from 'vitest';
import { inspectMessage } from '../inspect.js';
import { buildOoxml, type OoxmlFormat } from '../testing/index.js';
import { checkMacroDisguise } from './macro-disguise.js';
import type { TrueType } from './type-kind.js';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const DOCM: TrueType = { mime: 'application/vnd.ms-word.document.macroEnabled.12', ext: 'docm', kind: 'word', container: 'zip' };
const VBA = [{ symbol: 'OFFICE_VBA', detail: 'VBA project word/vbaProject.bin' }];

function mail(name: string, type: string, content: Buffer): Buffer {
  return Buffer.from(
    ['Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'see attached', '--b', `Content-Type: ${type}; name="${name}"`, 'Content-Transfer-Encoding: base64', '', content.toString('base64'), '--b--', ''].join('\r\n'),
  );
}

const disguises = async (name: string, type: string, content: Buffer) => (await inspectMessage(mail(name, type, content))).findings.filter((f) => f.symbol === 'OFFICE_MACRO_DISGUISED');

describe('checkMacroDisguise', () => {
  it('names macro-enabled content under a macro-free extension or content type', () => {
    expect(checkMacroDisguise('report.docx', DOCX_TYPE, DOCM, VBA)).toEqual([
      { symbol: 'OFFICE_MACRO_DISGUISED', detail: `"report.docx": .docx and ${DOCX_TYPE} claims no macros, but it is docm content with VBA project word/vbaProject.bin` },
    ]);
    expect(checkMacroDisguise('report.docm', `${DOCX_TYPE}; name="report.docm"`, DOCM, [])).toHaveLength(1);
    expect(checkMacroDisguise('REPORT.DOCX', 'application/octet-stream', DOCM, [])).toHaveLength(1);
  });

  it('names macros found in a document whose true type is macro-free (an OLE .doc or a docx package with a VBA part)', () => {
    const doc: TrueType = { mime: 'application/msword', ext: 'doc', kind: 'word' };
    expect(checkMacroDisguise('minutes.docx', '', doc, VBA)).toHaveLength(1);
    expect(checkMacroDisguise('book.xlsx', '', { ...DOCM, ext: 'xlsx', kind: 'excel' }, [{ symbol: 'OFFICE_XLM', detail: 'Excel 4 macro sheet(s) xl/macrosheets/sheet1.xml' }])).toHaveLength(1);
  });

  it('leaves honest names alone: a .docm as .docm, a .doc with macros as .doc, a clean .docx', () => {
    expect(checkMacroDisguise('report.docm', 'application/vnd.ms-word.document.macroEnabled.12', DOCM, VBA)).toEqual([]);
    expect(checkMacroDisguise('old.doc', 'application/msword', { mime: 'application/msword', ext: 'doc', kind: 'word' }, VBA)).toEqual([]);
    expect(checkMacroDisguise('report.docx', DOCX_TYPE, { ...DOCM, ext: 'docx' }, [])).toEqual([]);
  });
});

describe('macro disguise in inspectMessage', () => {
  const pairs: Array<[OoxmlFormat, string, string]> = [
    ['docm', 'report.docx', DOCX_TYPE],
    ['xlsm', 'figures.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['pptm', 'slides.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['dotm', 'letter.dotx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.template'],
    ['xltm', 'budget.xltx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.template'],
    ['potm', 'deck.potx', 'application/vnd.openxmlformats-officedocument.presentationml.template'],
  ];

  it.each(pairs)('finds %s content sent as %s', async (format, name, type) => {
    const found = await disguises(name, type, buildOoxml(format, { vba: true }));
    expect(found).toHaveLength(1);
    expect(found[0]!.detail).toContain(`${format} content`);
  });

  it('finds a macro-enabled template sent as a document, and nothing for the honest or macro-free files', async () => {
    expect(await disguises('letter.docx', DOCX_TYPE, buildOoxml('dotm', { vba: true }))).toHaveLength(1);
    expect(await disguises('report.docm', 'application/vnd.ms-word.document.macroEnabled.12', buildOoxml('docm', { vba: true }))).toEqual([]);
    expect(await disguises('report.docx', DOCX_TYPE, buildOoxml('docx'))).toEqual([]);
    expect(await disguises('deck.potx', 'application/octet-stream', buildOoxml('potx'))).toEqual([]);
  });
});
