import type { Issue } from '../archive/types.js';

/** The seed's blocked extensions (SPEC F3); the policy adds the administrator's own. */
export const SEED_BLOCKED_EXTENSIONS: readonly string[] = Object.freeze([
  'ace', 'bat', 'cmd', 'com', 'cpl', 'exe', 'hta', 'jar', 'js', 'jse', 'msc', 'msi', 'msp', 'pif', 'scr', 'vb', 'vbe', 'vbs', 'ws', 'wsc', 'wsf', 'wsh',
]);

// Extensions a user takes for a harmless document; one of them before an executable one is a disguise.
const DOCUMENT_LOOKING = new Set(['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'hwp', 'hwpx', 'txt', 'rtf', 'jpg', 'jpeg', 'png', 'gif', 'bmp', 'mp3', 'mp4', 'avi', 'htm', 'html', 'zip', 'csv', 'odt']);
const EXECUTABLE_LOOKING = new Set([...SEED_BLOCKED_EXTENSIONS, 'lnk', 'ps1', 'psm1', 'dll', 'sys', 'reg', 'inf', 'iso', 'img', 'vhd', 'appx', 'msix', 'application', 'gadget', 'sct', 'chm', 'url']);
const BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// Matched only from the start of a run ((?<!...)): /[.\s]+$/ tried again from every character of a run of dots and
// spaces that text follows, seconds on a 64 KB name.
const TRAILING_DOTS_AND_SPACES = /(?<![.\s])[.\s]+$/;

/** A file name as the checks read it: bidi controls removed, NFKC, lower case, trailing dots/spaces gone. */
export function normalizeName(name: string): string {
  return name.replace(BIDI_CONTROL, '').normalize('NFKC').toLowerCase().replace(TRAILING_DOTS_AND_SPACES, '');
}

/** The extensions of a name, last first (`a.pdf.exe` -> [exe, pdf]). */
export function extensionsOf(name: string): string[] {
  const base = normalizeName(name).split(/[\\/]/).pop() ?? '';
  return base.split('.').slice(1).reverse().map((e) => e.trim());
}

/** Blocked extension, disguised double extension and bidi-override tricks in one file name. */
export function checkFileName(name: string, blocked: ReadonlySet<string>): Issue[] {
  const issues: Issue[] = [];
  if (BIDI_CONTROL.test(name)) {
    issues.push({ symbol: 'ATTACHMENT_RTLO', detail: `name ${JSON.stringify(name)} holds a bidirectional control; it is really ${JSON.stringify(normalizeName(name))}` });
  }
  BIDI_CONTROL.lastIndex = 0;
  const [last, previous] = extensionsOf(name);
  if (last !== undefined && blocked.has(last)) issues.push({ symbol: 'ATTACHMENT_BLOCKED_EXTENSION', detail: `.${last} in ${JSON.stringify(name)}` });
  if (last !== undefined && previous !== undefined && DOCUMENT_LOOKING.has(previous) && EXECUTABLE_LOOKING.has(last)) {
    issues.push({ symbol: 'ATTACHMENT_DOUBLE_EXTENSION', detail: `.${previous}.${last} in ${JSON.stringify(name)}` });
  }
  return issues;
}
