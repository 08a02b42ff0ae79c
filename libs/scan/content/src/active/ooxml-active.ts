import type { Issue } from '../archive/types.js';
import { readZipDirectory, type ZipEntry } from '../archive/zip-directory.js';
import { readZipBytes, readZipText } from '../archive/zip-text.js';
import { NOTHING, type ActiveContentDetector } from './analysis.js';
import { DDE_INSTRUCTION, wordFieldInstructions } from './word-fields.js';

const OOXML_EXTS = new Set(['docx', 'docm', 'dotx', 'dotm', 'xlsx', 'xlsm', 'xltx', 'xltm', 'xlsb', 'pptx', 'pptm', 'ppsx', 'ppsm', 'potx', 'potm', 'hwpx']);
const RISKY_EXTERNAL = /\/(attachedTemplate|oleObject|frame|subDocument|externalLinkPath|package)$/i;
const XML_PART_LIMIT = 32 * 1024 * 1024;
// A tag ends at the next "<" as well as at ">" (XML allows no "<" inside one), so a tag that never closes is read
// up to the next tag only: with [^>]* each "<Relationship" read on to the end of the part (seconds on 250 KB).
const RELATIONSHIP = /<Relationship\b[^<>]*>/gi;

/**
 * Active content in OOXML packages (and HWPX): the VBA project part, Excel 4 macro sheets, DDE fields and
 * links, external targets that load a template or object from elsewhere, embedded objects, HWPX scripts.
 * Embedded files are not returned here: the package is opened as a zip and each member is scanned.
 */
export const ooxmlActiveContent: ActiveContentDetector = {
  name: 'ooxml',
  applies: (type) => OOXML_EXTS.has(type.ext),
  analyze(data) {
    const { entries } = readZipDirectory(data);
    if (!entries.length) return NOTHING;
    const issues: Issue[] = [];
    const names = entries.map((e) => e.name);
    const vba = names.filter((n) => /(^|\/)vbaProject\.bin$/i.test(n));
    if (vba.length) issues.push({ symbol: 'OFFICE_VBA', detail: `VBA project ${vba.join(', ')}` });
    const macroSheets = names.filter((n) => /^xl\/macrosheets\//i.test(n));
    if (macroSheets.length) issues.push({ symbol: 'OFFICE_XLM', detail: `Excel 4 macro sheet(s) ${macroSheets.join(', ')}` });
    const embeddings = names.filter((n) => /\/embeddings\//i.test(n));
    if (embeddings.length) issues.push({ symbol: 'OFFICE_OLE_OBJECT', detail: `embedded object(s) ${embeddings.join(', ')}` });
    const scripts = names.filter((n) => /^Scripts\/.+\.js$/i.test(n));
    if (scripts.length) issues.push({ symbol: 'HWP_SCRIPT', detail: `HWPX script(s) ${scripts.join(', ')}` });
    for (const entry of entries) checkPart(data, entry, issues);
    return { issues, embedded: [] };
  },
};

function checkPart(zip: Buffer, entry: ZipEntry, issues: Issue[]): void {
  const name = entry.name;
  if (/\.rels$/i.test(name)) {
    const xml = readZipText(zip, entry, XML_PART_LIMIT);
    for (const rel of xml.matchAll(RELATIONSHIP)) {
      const tag = rel[0];
      if (!/TargetMode\s*=\s*"External"/i.test(tag)) continue;
      const type = /Type\s*=\s*"([^"]*)"/i.exec(tag)?.[1] ?? '';
      if (RISKY_EXTERNAL.test(type)) issues.push({ symbol: 'OFFICE_EXTERNAL_LINK', detail: `${type.split('/').pop()} -> ${/Target\s*=\s*"([^"]*)"/i.exec(tag)?.[1] ?? '?'} (${name})` });
    }
  } else if (/^word\/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$/i.test(name)) {
    const xml = readZipText(zip, entry, XML_PART_LIMIT);
    if (DDE_INSTRUCTION.test(wordFieldInstructions(xml))) issues.push({ symbol: 'OFFICE_DDE', detail: `DDE field in ${name}` });
  } else if (/^xl\/externalLinks\/[^/]+\.xml$/i.test(name)) {
    if (/<ddeLink\b/i.test(readZipText(zip, entry, XML_PART_LIMIT))) issues.push({ symbol: 'OFFICE_DDE', detail: `DDE link in ${name}` });
  } else if (/^xl\/externalLinks\/[^/]+\.bin$/i.test(name)) {
    if (isDdeSupBook(readZipBytes(zip, entry, 64 * 1024))) issues.push({ symbol: 'OFFICE_DDE', detail: `DDE link in ${name}` });
  }
}

const BRT_BEGIN_SUP_BOOK = 0x168;
const SBT_DDE = 1;

/** xlsb external link part: the first record is BrtBeginSupBook, whose sbt field is 1 for DDE. */
function isDdeSupBook(part: Buffer): boolean {
  let pos = 0;
  let type = 0;
  for (let shift = 0; shift < 14 && pos < part.length; shift += 7) {
    const byte = part[pos++]!;
    type |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
  }
  while (pos < part.length && part[pos]! & 0x80) pos++;
  pos++;
  return type === BRT_BEGIN_SUP_BOOK && pos + 2 <= part.length && part.readUInt16LE(pos) === SBT_DDE;
}
