import { inflateRawSync } from 'node:zlib';
import { openOle } from '../filetype/ole-file.js';

const COMPRESSED = 1;
const PASSWORD = 2;
const DISTRIBUTION = 4;
// HWPTAG_BEGIN (0x10) + 51: a paragraph's text (HWP 5.0 file format, "문단의 텍스트").
const PARA_TEXT = 0x10 + 51;
// Bytes one section may inflate to (records of tables, shapes and layout are most of it), as the archive limit of a member.
const MAX_SECTION_BYTES = 64 * 1024 * 1024;

/**
 * The body text of an HWP 5 document: the PARA_TEXT records of every BodyText/Section stream (raw-deflated when
 * the file header says so), at most `maxChars`. '' for password-protected or distribution documents (their
 * streams are encrypted) and for anything that is not an HWP 5 compound file.
 */
export function hwpText(data: Buffer, maxChars: number): string {
  const ole = openOle(data);
  if ('error' in ole) return '';
  const header = ole.stream('FileHeader');
  if (!header || header.length < 40) return '';
  const flags = header.readUInt32LE(36);
  if (flags & (PASSWORD | DISTRIBUTION)) return '';
  const sections = ole
    .streamsNamed((name) => /^Section\d{1,5}$/.test(name))
    .filter((s) => s.path.startsWith('BodyText/'))
    .sort((a, b) => Number(a.path.slice(a.path.lastIndexOf('n') + 1)) - Number(b.path.slice(b.path.lastIndexOf('n') + 1)));
  const texts: string[] = [];
  let left = maxChars;
  for (const section of sections) {
    if (left <= 0) break;
    let records: Buffer;
    try {
      records = flags & COMPRESSED ? inflateRawSync(section.content, { maxOutputLength: MAX_SECTION_BYTES }) : section.content;
    } catch {
      // Damaged or past the bound: the sections before it still count.
      continue;
    }
    const text = paragraphTexts(records).slice(0, left);
    texts.push(text);
    left -= text.length;
  }
  return texts.join('\n');
}

/** The text of the PARA_TEXT records of one section's record stream. */
function paragraphTexts(records: Buffer): string {
  const out: string[] = [];
  let at = 0;
  while (at + 4 <= records.length) {
    const header = records.readUInt32LE(at);
    at += 4;
    let size = header >>> 20;
    if (size === 0xfff) {
      if (at + 4 > records.length) break;
      size = records.readUInt32LE(at);
      at += 4;
    }
    if ((header & 0x3ff) === PARA_TEXT) out.push(paraText(records.subarray(at, Math.min(at + size, records.length))));
    at += size;
  }
  return out.join('\n');
}

/**
 * One PARA_TEXT record: UTF-16LE, where control characters 0-31 other than 0, 10, 13 and 24-31 take 8 code
 * units (the control, its parameters, the control again) and stand for objects (tables, fields), not text.
 */
function paraText(record: Buffer): string {
  const units = record.length >> 1;
  const pieces: string[] = [];
  let run = 0;
  for (let i = 0; i < units; i++) {
    const unit = record.readUInt16LE(i * 2);
    if (unit >= 32) continue;
    pieces.push(record.toString('utf16le', run * 2, i * 2));
    if (unit === 10 || unit === 13) pieces.push('\n');
    else if (unit !== 0) {
      pieces.push(' ');
      if (unit < 24) i += 7;
    }
    run = i + 1;
  }
  pieces.push(record.toString('utf16le', run * 2, units * 2));
  return pieces.join('');
}
