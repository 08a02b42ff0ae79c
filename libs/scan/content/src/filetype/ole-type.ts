import { isOle, openOle } from './ole-file.js';
import type { TrueType } from './type-kind.js';

const MSI_CLSID = /^000c108[46]-0000-0000-c000-000000000046$/i;

/** The OLE2 sub-type (doc/xls/ppt/hwp/msg/msi, encrypted OOXML) of a compound file, from its streams. */
export function oleType(data: Buffer): TrueType | undefined {
  if (!isOle(data)) return undefined;
  const ole = openOle(data);
  if ('error' in ole) return { mime: 'application/x-ole-storage', ext: 'ole', kind: 'other' };
  const has = (path: string): boolean => ole.paths.some((p) => p.toLowerCase() === path.toLowerCase());
  if (has('EncryptionInfo') && has('EncryptedPackage')) return { mime: 'application/x-ooxml-encrypted', ext: 'ooxml', kind: 'other' };
  if (has('FileHeader') && ole.stream('FileHeader')?.toString('latin1', 0, 17) === 'HWP Document File') return { mime: 'application/x-hwp', ext: 'hwp', kind: 'hwp' };
  if (has('WordDocument')) return { mime: 'application/msword', ext: 'doc', kind: 'word' };
  if (has('Workbook') || has('Book')) return { mime: 'application/vnd.ms-excel', ext: 'xls', kind: 'excel' };
  if (has('PowerPoint Document')) return { mime: 'application/vnd.ms-powerpoint', ext: 'ppt', kind: 'powerpoint' };
  if (ole.paths.some((p) => p.startsWith('__substg1.0_'))) return { mime: 'application/vnd.ms-outlook', ext: 'msg', kind: 'message' };
  if (MSI_CLSID.test(rootClsid(data)) || ole.paths.some((p) => p.includes('\u4840'))) return { mime: 'application/x-msi', ext: 'msi', kind: 'executable', container: 'sevenzip' };
  if (has('VBA/dir') || has('PROJECT')) return { mime: 'application/x-vba-project', ext: 'bin', kind: 'other' };
  return { mime: 'application/x-ole-storage', ext: 'ole', kind: 'other' };
}

/** The root storage's CLSID, read from the first directory sector (the root entry is always entry 0). */
function rootClsid(data: Buffer): string {
  const sectorShift = data.readUInt16LE(30);
  const firstDirSector = data.readUInt32LE(48);
  const offset = (firstDirSector + 1) << sectorShift;
  if (offset + 0x60 > data.length) return '';
  const g = data.subarray(offset + 0x50, offset + 0x60);
  const hex = (b: Buffer): string => b.toString('hex');
  return `${hex(Buffer.from(g.subarray(0, 4)).reverse())}-${hex(Buffer.from(g.subarray(4, 6)).reverse())}-${hex(Buffer.from(g.subarray(6, 8)).reverse())}-${hex(g.subarray(8, 10))}-${hex(g.subarray(10, 16))}`;
}
