import { constants, inflateSync } from 'node:zlib';
import type { Issue, Member } from '../archive/types.js';
import { openOle, type OleFile } from '../filetype/ole-file.js';
import { NOTHING, type ActiveContentDetector, type Analysis } from './analysis.js';
import { isLnk, readOle10Native } from './ole-embedded.js';

const VBA_PATH = /(^|\/)(_VBA_PROJECT_CUR\/|Macros\/VBA\/|VBA\/(dir|_VBA_PROJECT)$)/i;
const VBA_PROJECT_UTF16 = Buffer.from('_VBA_PROJECT', 'utf16le');
// Word field codes open with 0x13; the packager's stream is named with a leading 0x01.
const FIELD_BEGIN = String.fromCharCode(0x13);
const OLE10_NATIVE = `${String.fromCharCode(1)}Ole10Native`;
const isOle10Native = (name: string): boolean => name === OLE10_NATIVE;

/**
 * Active content in OLE2 files (Word, Excel, PowerPoint and any other compound file, including those
 * embedded in documents): VBA storages, XLM macro sheets, DDE fields, encryption, and embedded objects
 * (OLE Packager payloads and PowerPoint's compressed ExOleObjStg storages), which come back as embedded files.
 */
export const oleActiveContent: ActiveContentDetector = {
  name: 'ole',
  applies: (type) => ['doc', 'xls', 'ppt', 'ole', 'ooxml', 'msg', 'bin'].includes(type.ext) && type.kind !== 'hwp',
  analyze(data, _type, maxBytes) {
    const ole = openOle(data);
    // A storage cut short (PowerPoint's ExOleObjStg often is) still names its VBA streams.
    if ('error' in ole) return data.includes(VBA_PROJECT_UTF16) ? { issues: [{ symbol: 'OFFICE_VBA', detail: 'VBA project in a damaged storage' }], embedded: [] } : NOTHING;
    const issues: Issue[] = [];
    const embedded: Member[] = [];
    if (ole.paths.some((p) => VBA_PATH.test(p))) issues.push({ symbol: 'OFFICE_VBA', detail: 'VBA project storage' });
    if (ole.stream('EncryptionInfo') && ole.stream('EncryptedPackage')) issues.push({ symbol: 'OFFICE_ENCRYPTED', detail: 'encrypted OOXML package (EncryptionInfo/EncryptedPackage)' });
    if (ole.stream('EncryptedSummary')) issues.push({ symbol: 'OFFICE_ENCRYPTED', detail: 'encrypted PowerPoint document' });
    checkWord(ole, issues);
    checkWorkbook(ole, issues);
    for (const storage of pptStorages(ole, maxBytes)) embedded.push(storage);
    for (const { path, content } of ole.streamsNamed(isOle10Native)) {
      const member = readOle10Native(content, `${path.split('/').slice(-2, -1)[0] ?? 'object'}.bin`);
      issues.push({ symbol: 'OFFICE_OLE_OBJECT', detail: `embedded package ${JSON.stringify(member?.name ?? path)}` });
      if (member && isLnk(member.content)) issues.push({ symbol: 'LNK_FILE', detail: `embedded shortcut ${JSON.stringify(member.name)}` });
      if (member) embedded.push(member);
    }
    if (!ole.streamsNamed(isOle10Native).length && ole.paths.some((p) => /^(ObjectPool\/_\d+|MBD[0-9A-F]{8})\//i.test(p))) {
      issues.push({ symbol: 'OFFICE_OLE_OBJECT', detail: 'embedded OLE object storage' });
    }
    return { issues, embedded } satisfies Analysis;
  },
};

/** Word: the FIB's fEncrypted flag, and DDE / DDEAUTO field codes in the text (ANSI or UTF-16). */
function checkWord(ole: OleFile, issues: Issue[]): void {
  const word = ole.stream('WordDocument');
  if (!word || word.length < 12) return;
  if ((word.readUInt16LE(0x0a) & 0x0100) !== 0) {
    issues.push({ symbol: 'OFFICE_ENCRYPTED', detail: 'password-protected Word document' });
    return;
  }
  const texts = [word.toString('latin1'), word.toString('utf16le'), word.subarray(1).toString('utf16le')];
  if (texts.some((text) => text.split(FIELD_BEGIN).slice(1).some((field) => /^\s*DDE(AUTO)?\b/i.test(field)))) {
    issues.push({ symbol: 'OFFICE_DDE', detail: 'DDE field code in a Word document' });
  }
}

const BOF = 0x0809;
const FILEPASS = 0x002f;
const BOUNDSHEET = 0x0085;

/** Excel BIFF5/8: FILEPASS (encrypted) and BOUNDSHEET records of type macro sheet (Excel 4 / XLM). */
function checkWorkbook(ole: OleFile, issues: Issue[]): void {
  const book = ole.stream('Workbook') ?? ole.stream('Book');
  if (!book) return;
  let boundSheets = 0;
  let macroBofs = 0;
  for (let pos = 0; pos + 4 <= book.length; ) {
    const type = book.readUInt16LE(pos);
    const length = book.readUInt16LE(pos + 2);
    if (type === FILEPASS) {
      issues.push({ symbol: 'OFFICE_ENCRYPTED', detail: 'password-protected Excel workbook' });
      return;
    }
    if (type === BOUNDSHEET && length >= 6 && book[pos + 4 + 5] === 0x01) boundSheets++;
    // Each sheet substream opens with a BOF whose dt is 0x0040 for a macro sheet.
    if (type === BOF && length >= 4 && book.readUInt16LE(pos + 6) === 0x0040) macroBofs++;
    pos += 4 + length;
  }
  const macroSheets = Math.max(boundSheets, macroBofs);
  if (macroSheets) issues.push({ symbol: 'OFFICE_XLM', detail: `${macroSheets} Excel 4 macro sheet(s)` });
}

const EXOLEOBJSTG = 0x1011;

/**
 * PowerPoint keeps embedded objects and the VBA project as ExOleObjStg records in the `PowerPoint Document`
 * stream, usually zlib-compressed; each is a compound file of its own.
 */
function pptStorages(ole: OleFile, maxBytes: number): Member[] {
  const stream = ole.stream('PowerPoint Document');
  if (!stream) return [];
  const found: Member[] = [];
  for (let pos = 0; pos + 8 <= stream.length; ) {
    const verInstance = stream.readUInt16LE(pos);
    const type = stream.readUInt16LE(pos + 2);
    const length = stream.readUInt32LE(pos + 4);
    if ((verInstance & 0xf) === 0xf) {
      pos += 8;
      continue;
    }
    if (type === EXOLEOBJSTG) {
      const body = stream.subarray(pos + 8, pos + 8 + length);
      // Some writers leave the zlib stream without its end: what inflates is still the storage.
      try {
        const content = verInstance >> 4 === 1 ? inflateSync(body.subarray(4), { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH }) : body;
        found.push({ name: `ExOleObjStg-${found.length + 1}.ole`, content });
      } catch {
        // A damaged or oversized object storage: the AV engine still scans the whole file.
      }
    }
    pos += 8 + length;
  }
  return found;
}
