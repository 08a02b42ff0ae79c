import type { Issue } from '../archive/types.js';
import { extensionsOf } from './extension-policy.js';
import type { TrueType } from './type-kind.js';

/** Extensions of the OOXML formats that cannot hold macros: Office will not run macros saved under them. */
const MACRO_FREE_EXTS = new Set(['docx', 'dotx', 'xlsx', 'xltx', 'pptx', 'ppsx', 'potx']);
/** True types of the macro-enabled OOXML formats (documents and templates). */
const MACRO_ENABLED_TYPES = new Set(['docm', 'dotm', 'xlsm', 'xltm', 'pptm', 'ppsm', 'potm']);
/** The declared types of the macro-free OOXML formats (the macro-enabled ones are application/vnd.ms-*.macroEnabled.12). */
const MACRO_FREE_MIME = /^application\/vnd\.openxmlformats-officedocument\./i;
const MACRO_SYMBOLS: ReadonlySet<string> = new Set(['OFFICE_VBA', 'OFFICE_XLM']);

/**
 * Macro content dressed as a macro-free document: macro-enabled content (a .docm, .xlsm, .pptm or macro-enabled
 * template) or a document with VBA or Excel 4 macros (FOUND: the active-content issues of the file), under a
 * macro-free extension (.docx, .xlsx, .pptx, their templates and slide shows) or a macro-free declared content
 * type. Type mismatch does not see it (the kind, Word or Excel, is the same), and the name tells the reader the
 * file cannot run anything.
 */
export function checkMacroDisguise(name: string, declaredType: string, type: TrueType, found: readonly Issue[]): Issue[] {
  const macros = found.filter((issue) => MACRO_SYMBOLS.has(issue.symbol));
  if (!MACRO_ENABLED_TYPES.has(type.ext) && macros.length === 0) return [];
  const ext = extensionsOf(name)[0];
  const declared = declaredType.split(';', 1)[0]!.trim();
  const claims = [...(ext !== undefined && MACRO_FREE_EXTS.has(ext) ? [`.${ext}`] : []), ...(MACRO_FREE_MIME.test(declared) ? [declared] : [])];
  if (claims.length === 0) return [];
  const content = [`${type.ext} content`, ...macros.map((m) => m.detail)].join(' with ');
  return [{ symbol: 'OFFICE_MACRO_DISGUISED', detail: `${JSON.stringify(name)}: ${claims.join(' and ')} claims no macros, but it is ${content}` }];
}
