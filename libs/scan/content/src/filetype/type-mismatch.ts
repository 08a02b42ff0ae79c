import type { Issue } from '../archive/types.js';
import { extensionsOf } from './extension-policy.js';
import type { TrueType, TypeKind } from './type-kind.js';

const KIND_OF_EXTENSION: Record<string, TypeKind> = {};
const add = (kind: TypeKind, exts: string): void => {
  for (const ext of exts.split(' ')) KIND_OF_EXTENSION[ext] = kind;
};
// .com is absent: DOS COM programs have no magic number to compare with.
add('executable', 'exe dll scr cpl sys ocx drv efi msi msp');
add('word', 'doc docx docm dot dotx dotm odt');
add('excel', 'xls xlsx xlsm xlsb xlt xltx xltm ods slk');
add('powerpoint', 'ppt pptx pptm pps ppsx ppsm pot potx potm odp');
add('hwp', 'hwp hwpx');
add('pdf', 'pdf');
add('rtf', 'rtf');
add('image', 'jpg jpeg png gif bmp tif tiff webp');
add('archive', 'zip 7z rar tar gz tgz bz2 xz cab arj iso egg alz lzh');

// Kinds one extension may legitimately hold besides its own (Word opens RTF saved as .doc).
const ALSO_ACCEPTED: Partial<Record<TypeKind, TypeKind[]>> = { word: ['rtf', 'html'], excel: ['html', 'text'] };

/** The kind of file a name claims to be by its last extension (undefined: an extension no kind claims). */
export function claimedKind(name: string): TypeKind | undefined {
  const ext = extensionsOf(name)[0];
  return ext === undefined ? undefined : KIND_OF_EXTENSION[ext];
}

/**
 * Whether the content contradicts the name: the per-type policy blocks on this. Unknown extensions and
 * unknown content are no contradiction; executable content under any non-executable name always is.
 */
export function checkTypeMismatch(name: string, type: TrueType): Issue[] {
  const ext = extensionsOf(name)[0];
  if (ext === undefined) return type.kind === 'executable' && name !== '' ? [mismatch(name, '(none)', type)] : [];
  const expected = KIND_OF_EXTENSION[ext];
  if (type.kind === 'executable' && expected !== 'executable') return [mismatch(name, ext, type)];
  if (expected === undefined || type.kind === 'other' || type.kind === expected) return [];
  if (ALSO_ACCEPTED[expected]?.includes(type.kind)) return [];
  return [mismatch(name, ext, type)];
}

function mismatch(name: string, ext: string, type: TrueType): Issue {
  return { symbol: 'ATTACHMENT_TYPE_MISMATCH', detail: `${JSON.stringify(name)}: .${ext} but the content is ${type.ext} (${type.mime})` };
}
