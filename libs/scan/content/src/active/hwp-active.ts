import { inflateRawSync } from 'node:zlib';
import type { Issue, Member } from '../archive/types.js';
import { openOle } from '../filetype/ole-file.js';
import { NOTHING, type ActiveContentDetector } from './analysis.js';

const COMPRESSED = 1;
const PASSWORD = 2;
// Every HWP file carries this script stub; only code beyond it is a script.
// The script editor's templates: empty event handlers (function OnDocument_New() { //todo }) do nothing.
const EMPTY_HANDLER = /function\s+\w+\s*\(\s*\)\s*\{\s*\}/g;
const DEFAULT_SCRIPT = /var\s+Documents\s*=\s*XHwpDocuments\s*;|var\s+Document\s*=\s*Documents\.Active_XHwpDocument\s*;/g;
const COMMENT_START = /\/[/*]/g;

/** HWP 5 (compound file): password protection, scripts beyond the default stub, embedded OLE objects. */
export const hwpActiveContent: ActiveContentDetector = {
  name: 'hwp',
  applies: (type) => type.ext === 'hwp',
  analyze(data, _type, maxBytes) {
    const ole = openOle(data);
    if ('error' in ole) return NOTHING;
    const header = ole.stream('FileHeader');
    if (!header || header.length < 40) return NOTHING;
    const flags = header.readUInt32LE(36);
    const issues: Issue[] = [];
    if (flags & PASSWORD) return { issues: [{ symbol: 'OFFICE_ENCRYPTED', detail: 'password-protected HWP document' }], embedded: [] };
    const inflate = (stream: Buffer): Buffer => {
      if (!(flags & COMPRESSED)) return stream;
      try {
        return inflateRawSync(stream, { maxOutputLength: maxBytes });
      } catch {
        return stream;
      }
    };
    const script = ole.stream('Scripts/DefaultJScript');
    if (script) {
      const code = withoutComments(scriptText(inflate(script)).replace(DEFAULT_SCRIPT, ''))
        .replace(EMPTY_HANDLER, '')
        .replace(/[\s\0]+/g, '');
      if (/[A-Za-z]{3,}/.test(code)) issues.push({ symbol: 'HWP_SCRIPT', detail: 'document script (Scripts/DefaultJScript)' });
    }
    const embedded: Member[] = [];
    for (const { path, content } of ole.streamsNamed((name) => /\.ole$/i.test(name))) {
      if (!path.startsWith('BinData/')) continue;
      issues.push({ symbol: 'OFFICE_OLE_OBJECT', detail: `embedded OLE object ${path}` });
      // BinData OLE streams start with a 4-byte size before the compound file.
      embedded.push({ name: path.split('/').pop() ?? 'object.ole', content: inflate(content).subarray(4) });
    }
    return { issues, embedded };
  },
};

/** The script stream is a sequence of length-prefixed UTF-16 strings; decoding it whole is enough to judge. */
function scriptText(stream: Buffer): string {
  return stream.length > 4 ? stream.subarray(4).toString('utf16le') : '';
}

// The code without its comments, taken left to right as /\/\/[^\n]*|\/\*[\s\S]*?\*\//g would take them. The "*/" that
// closes a block is searched once: when a "/*" has none after it, no later "/*" has one either, and each stays
// code (that pattern searched to the end again from every one of them: seconds on a script of "/* /* /* ...").
function withoutComments(code: string): string {
  const kept: string[] = [];
  let from = 0;
  let blocksClose = true;
  COMMENT_START.lastIndex = 0;
  for (let start = COMMENT_START.exec(code); start; start = COMMENT_START.exec(code)) {
    let end: number;
    if (start[0] === '//') {
      end = code.indexOf('\n', start.index);
      if (end === -1) end = code.length;
    } else {
      const close = blocksClose ? code.indexOf('*/', start.index + 2) : -1;
      if (close === -1) {
        blocksClose = false;
        continue;
      }
      end = close + 2;
    }
    kept.push(code.slice(from, start.index));
    from = end;
    COMMENT_START.lastIndex = end;
  }
  kept.push(code.slice(from));
  return kept.join('');
}
