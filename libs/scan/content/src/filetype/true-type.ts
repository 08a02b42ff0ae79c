import { fileTypeFromBuffer } from 'file-type';
import { readZipDirectory } from '../archive/zip-directory.js';
import { isTar } from '../archive/tar.js';
import { isTnef } from '../tnef/tnef.js';
import { oleType } from './ole-type.js';
import { ooxmlType } from './ooxml-type.js';
import type { ContainerFormat, TrueType, TypeKind } from './type-kind.js';

// file-type extensions and what they are to the policy; formats 7-Zip opens are containers.
const BY_EXT: Record<string, { kind: TypeKind; container?: ContainerFormat }> = {
  exe: { kind: 'executable' }, elf: { kind: 'executable' }, macho: { kind: 'executable' }, dll: { kind: 'executable' }, dex: { kind: 'executable' },
  class: { kind: 'executable' }, wasm: { kind: 'executable' }, msi: { kind: 'executable', container: 'sevenzip' }, jar: { kind: 'executable', container: 'zip' },
  apk: { kind: 'executable', container: 'zip' }, lnk: { kind: 'shortcut' },
  pdf: { kind: 'pdf' }, rtf: { kind: 'rtf' }, html: { kind: 'html' }, xml: { kind: 'text' },
  docx: { kind: 'word', container: 'zip' }, docm: { kind: 'word', container: 'zip' }, dotx: { kind: 'word', container: 'zip' }, dotm: { kind: 'word', container: 'zip' }, odt: { kind: 'word', container: 'zip' }, doc: { kind: 'word' },
  xlsx: { kind: 'excel', container: 'zip' }, xlsm: { kind: 'excel', container: 'zip' }, xltx: { kind: 'excel', container: 'zip' }, xltm: { kind: 'excel', container: 'zip' }, ods: { kind: 'excel', container: 'zip' }, xls: { kind: 'excel' },
  pptx: { kind: 'powerpoint', container: 'zip' }, pptm: { kind: 'powerpoint', container: 'zip' }, ppsx: { kind: 'powerpoint', container: 'zip' }, odp: { kind: 'powerpoint', container: 'zip' }, ppt: { kind: 'powerpoint' },
  zip: { kind: 'archive', container: 'zip' }, tar: { kind: 'archive', container: 'tar' }, gz: { kind: 'archive', container: 'gzip' }, 'tar.gz': { kind: 'archive', container: 'gzip' },
  rar: { kind: 'archive', container: 'rar' }, '7z': { kind: 'archive', container: 'sevenzip' }, bz2: { kind: 'archive', container: 'sevenzip' },
  xz: { kind: 'archive', container: 'sevenzip' }, cab: { kind: 'archive', container: 'sevenzip' }, arj: { kind: 'archive', container: 'sevenzip' },
  iso: { kind: 'archive', container: 'sevenzip' }, cpio: { kind: 'archive', container: 'sevenzip' }, ar: { kind: 'archive', container: 'sevenzip' },
  chm: { kind: 'archive', container: 'sevenzip' }, lzh: { kind: 'archive', container: 'sevenzip' }, lz: { kind: 'archive', container: 'sevenzip' },
  lzma: { kind: 'archive', container: 'sevenzip' }, zst: { kind: 'archive', container: 'sevenzip' }, rpm: { kind: 'archive', container: 'sevenzip' },
  dmg: { kind: 'archive', container: 'sevenzip' }, vhd: { kind: 'archive', container: 'sevenzip' }, vhdx: { kind: 'archive', container: 'sevenzip' },
  xar: { kind: 'archive', container: 'sevenzip' }, Z: { kind: 'archive', container: 'sevenzip' }, ace: { kind: 'archive', container: 'unopenable' },
  eml: { kind: 'message', container: 'message' },
};

/** Magic numbers file-type does not know (or reads as something less specific). */
const OWN_MAGIC: ReadonlyArray<[(d: Buffer) => boolean, TrueType]> = [
  [(d) => d.subarray(0, 4).toString('latin1') === 'EGGA', { mime: 'application/x-alz-egg', ext: 'egg', kind: 'archive', container: 'unopenable' }],
  [(d) => d.subarray(0, 4).toString('latin1') === 'ALZ\x01', { mime: 'application/x-alz', ext: 'alz', kind: 'archive', container: 'unopenable' }],
  [(d) => d[0] === 0x1a && d.length > 2 && d[1]! >= 1 && d[1]! <= 11, { mime: 'application/x-arc', ext: 'arc', kind: 'archive', container: 'unopenable' }],
  [(d) => d.subarray(0, 8).toString('latin1') === 'MSWIM\0\0\0', { mime: 'application/x-ms-wim', ext: 'wim', kind: 'archive', container: 'sevenzip' }],
  [(d) => d.subarray(0, 4).toString('latin1') === 'SZDD', { mime: 'application/x-ms-compress-szdd', ext: 'sz_', kind: 'archive', container: 'sevenzip' }],
  [(d) => /^(070707|070701|070702)/.test(d.subarray(0, 6).toString('latin1')) || (d.length > 2 && d.readUInt16BE(0) === 0x71c7), { mime: 'application/x-cpio', ext: 'cpio', kind: 'archive', container: 'sevenzip' }],
  [(d) => d.length > 2 && d[0] === 0x42 && d[1] === 0x5a && d[2] === 0x68, { mime: 'application/x-bzip2', ext: 'bz2', kind: 'archive', container: 'sevenzip' }],
  [(d) => isTnef(d), { mime: 'application/ms-tnef', ext: 'dat', kind: 'archive' }],
];

/**
 * The true type of a file from its bytes: file-type first, then our own detectors where it is silent or
 * too vague (OLE2 and zip sub-types, HWP, egg/arc/szdd, scripts, HTML, messages, SYLK).
 */
export async function detectTrueType(data: Buffer): Promise<TrueType> {
  for (const [test, type] of OWN_MAGIC) if (test(data)) return type;
  const ole = oleType(data);
  if (ole) return ole;
  const found = await fileTypeFromBuffer(data).catch(() => undefined);
  if (found?.ext === 'zip' || found?.mime.includes('openxmlformats') || found?.mime.includes('macroenabled')) {
    const directory = readZipDirectory(data);
    const office = ooxmlType(data, directory.entries);
    if (office) return office;
  }
  if (found) {
    const known = BY_EXT[found.ext];
    if (known) return { mime: found.mime, ext: found.ext, kind: known.kind, ...(known.container ? { container: known.container } : {}) };
    if (found.mime.startsWith('image/')) return { mime: found.mime, ext: found.ext, kind: 'image' };
    if (found.mime.startsWith('audio/') || found.mime.startsWith('video/')) return { mime: found.mime, ext: found.ext, kind: 'media' };
    return { mime: found.mime, ext: found.ext, kind: 'other' };
  }
  if (isTar(data)) return { mime: 'application/x-tar', ext: 'tar', kind: 'archive', container: 'tar' };
  return textType(data);
}

/** Types of text files: scripts, HTML, PDF with junk before the header, RTF variants, SYLK, messages. */
function textType(data: Buffer): TrueType {
  const head = data.toString('latin1', 0, Math.min(data.length, 4096));
  if (head.startsWith('MZ') && data.length > 64) return { mime: 'application/x-msdownload', ext: 'exe', kind: 'executable' };
  if (/%PDF-/.test(head.slice(0, 1024))) return { mime: 'application/pdf', ext: 'pdf', kind: 'pdf' };
  if (head.startsWith('{\\rt')) return { mime: 'application/rtf', ext: 'rtf', kind: 'rtf' };
  if (head.startsWith('#!')) return { mime: 'text/x-shellscript', ext: 'sh', kind: 'script' };
  if (/^ID;P/.test(head)) return { mime: 'application/x-sylk', ext: 'slk', kind: 'excel' };
  if (/<hta:application/i.test(head)) return { mime: 'application/hta', ext: 'hta', kind: 'script' };
  if (/<(job|package)[\s>][\s\S]*<script\s+language=/i.test(head)) return { mime: 'text/x-wsf', ext: 'wsf', kind: 'script' };
  if (/^[^\S\n\r\u2028\u2029]*@echo\s+off/im.test(head)) return { mime: 'application/x-bat', ext: 'bat', kind: 'script' };
  if (/WScript\.(Shell|CreateObject)|CreateObject\(\s*"(WScript|Scripting)\./i.test(head)) return { mime: 'text/vbscript', ext: 'vbs', kind: 'script' };
  if (/^\s*<(!doctype html|html|head|body|script|a\s|div|meta|iframe|form|table|p[\s>]|!--)/i.test(head)) return { mime: 'text/html', ext: 'html', kind: 'html' };
  if (/^(From [^\r\n]*\r?\n)?(?:(?:Received|Return-Path|From|To|Subject|Date|Message-ID|MIME-Version|Content-Type):[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*){3,}/i.test(head)) {
    return { mime: 'message/rfc822', ext: 'eml', kind: 'message', container: 'message' };
  }
  // No NUL and mostly printable: text (which includes CSV, XML, source code).
  const sample = data.subarray(0, 4096);
  if (!sample.includes(0)) return { mime: 'text/plain', ext: 'txt', kind: 'text' };
  return { mime: 'application/octet-stream', ext: 'bin', kind: 'other' };
}
