import { readZipText } from '../archive/zip-text.js';
import type { ZipEntry } from '../archive/zip-directory.js';
import type { TrueType } from './type-kind.js';

// Main part content types of the OOXML, OOXML-macro and HWPX packages.
const MAIN_PARTS: ReadonlyArray<[RegExp, TrueType]> = [
  [/ms-word\.document\.macroEnabled/i, { mime: 'application/vnd.ms-word.document.macroEnabled.12', ext: 'docm', kind: 'word' }],
  [/ms-word\.template\.macroEnabled/i, { mime: 'application/vnd.ms-word.template.macroEnabled.12', ext: 'dotm', kind: 'word' }],
  [/wordprocessingml\.template/i, { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.template', ext: 'dotx', kind: 'word' }],
  [/wordprocessingml\.document\.main/i, { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx', kind: 'word' }],
  [/ms-excel\.sheet\.binary/i, { mime: 'application/vnd.ms-excel.sheet.binary.macroEnabled.12', ext: 'xlsb', kind: 'excel' }],
  [/ms-excel\.sheet\.macroEnabled/i, { mime: 'application/vnd.ms-excel.sheet.macroEnabled.12', ext: 'xlsm', kind: 'excel' }],
  [/ms-excel\.template\.macroEnabled/i, { mime: 'application/vnd.ms-excel.template.macroEnabled.12', ext: 'xltm', kind: 'excel' }],
  [/spreadsheetml\.template/i, { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.template', ext: 'xltx', kind: 'excel' }],
  [/spreadsheetml\.sheet\.main/i, { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx', kind: 'excel' }],
  [/ms-powerpoint\.presentation\.macroEnabled/i, { mime: 'application/vnd.ms-powerpoint.presentation.macroEnabled.12', ext: 'pptm', kind: 'powerpoint' }],
  [/ms-powerpoint\.slideshow\.macroEnabled/i, { mime: 'application/vnd.ms-powerpoint.slideshow.macroEnabled.12', ext: 'ppsm', kind: 'powerpoint' }],
  [/ms-powerpoint\.template\.macroEnabled/i, { mime: 'application/vnd.ms-powerpoint.template.macroEnabled.12', ext: 'potm', kind: 'powerpoint' }],
  [/presentationml\.template/i, { mime: 'application/vnd.openxmlformats-officedocument.presentationml.template', ext: 'potx', kind: 'powerpoint' }],
  [/presentationml\.slideshow/i, { mime: 'application/vnd.openxmlformats-officedocument.presentationml.slideshow', ext: 'ppsx', kind: 'powerpoint' }],
  [/presentationml\.presentation\.main/i, { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: 'pptx', kind: 'powerpoint' }],
];

/**
 * The OOXML sub-type (incl. macro-enabled and xlsb) or HWPX of a zip package, from its declared parts. The
 * package stays a zip container: every part is scanned too (embedded objects, media, anything hidden in it).
 */
export function ooxmlType(zip: Buffer, entries: readonly ZipEntry[]): TrueType | undefined {
  const mimetype = entries.find((e) => e.name === 'mimetype');
  if (mimetype && /hwp\+zip/.test(readZipText(zip, mimetype, 256))) return { mime: 'application/hwp+zip', ext: 'hwpx', kind: 'hwp', container: 'zip' };
  const types = entries.find((e) => e.name === '[Content_Types].xml');
  if (!types) return undefined;
  const xml = readZipText(zip, types, 1024 * 1024);
  for (const [pattern, type] of MAIN_PARTS) if (pattern.test(xml)) return { ...type, container: 'zip' };
  return undefined;
}
