import { constants, inflateSync } from 'node:zlib';
import type { Issue, Member } from '../archive/types.js';
import type { ActiveContentDetector } from './analysis.js';

const MAX_STREAMS = 2000;

/**
 * PDF actions and payloads: JavaScript, automatic actions, Launch, embedded files. Names are read after
 * undoing `#xx` escapes, in the file and in every Flate-compressed stream (object streams hide dictionaries);
 * embedded files come back to be scanned themselves.
 */
export const pdfActiveContent: ActiveContentDetector = {
  name: 'pdf',
  applies: (type) => type.kind === 'pdf',
  analyze(data, _type, maxBytes) {
    const raw = data.toString('latin1');
    const texts = [raw];
    const embedded: Member[] = [];
    let budget = maxBytes;
    let streams = 0;
    const dictionaryBefore = dictionaryReader(raw);
    let end = 0;
    for (const match of raw.matchAll(/stream\r?\n/g)) {
      if (++streams > MAX_STREAMS || budget <= 0) break;
      const start = match.index + match[0].length;
      // Still the first "endstream" after this start when it was found from an earlier one.
      if (end < start) end = raw.indexOf('endstream', start);
      if (end === -1) break;
      const dictionary = dictionaryBefore(match.index);
      const body = data.subarray(start, end);
      let content: Buffer = body;
      if (dictionary.flate) {
        try {
          content = inflateSync(body, { maxOutputLength: budget, finishFlush: constants.Z_SYNC_FLUSH });
        } catch {
          continue;
        }
      }
      budget -= content.length;
      if (dictionary.embeddedFile) embedded.push({ name: `embedded-${embedded.length + 1}.bin`, content });
      else texts.push(content.toString('latin1'));
    }
    const names = unescapeNames(texts.join('\n'));
    const issues: Issue[] = [];
    if (/\/(JavaScript|JS)\b/.test(names)) issues.push({ symbol: 'PDF_JAVASCRIPT', detail: 'JavaScript action' });
    if (/\/(OpenAction|AA)\b/.test(names)) issues.push({ symbol: 'PDF_OPEN_ACTION', detail: 'automatic action (OpenAction/AA)' });
    if (/\/Launch\b/.test(names)) issues.push({ symbol: 'PDF_LAUNCH', detail: 'Launch action' });
    if (/\/EmbeddedFiles?\b/.test(names) || embedded.length) issues.push({ symbol: 'PDF_EMBEDDED_FILE', detail: `${embedded.length} embedded file(s)` });
    return { issues, embedded };
  },
};

interface StreamDictionary {
  flate: boolean;
  embeddedFile: boolean;
}

const FLATE = /\/FlateDecode/;
const EMBEDDED_FILE = /\/Type\s*\/EmbeddedFile\b/;
// One that no text after it can turn into a longer name.
const EMBEDDED_FILE_WITHIN = /\/Type\s*\/EmbeddedFile(?=\W)/;

/**
 * Reads the dictionaries of the "stream" keywords, called with each keyword's offset in turn. A dictionary is the
 * text from the last "obj" before its keyword. When no "obj" comes between two keywords (the "stream" of
 * "endstream", one inside the data), the later dictionary is the earlier one and the text between them, and only
 * that text is read (reading each from its "obj" took seconds on a 2 MB file of keywords). Neither a #xx escape
 * nor a name looked for can hold the "s" of a keyword, so none runs across one; but an /EmbeddedFile that ended
 * the earlier dictionary has that "s" after it in the later one, which makes it a longer name.
 */
function dictionaryReader(raw: string): (keyword: number) => StreamDictionary {
  let read = 0;
  let flate = false;
  let embeddedFileWithin = false;
  return (keyword) => {
    let text = raw.slice(read, keyword);
    const obj = text.lastIndexOf('obj');
    if (obj !== -1) {
      text = text.slice(obj);
      flate = embeddedFileWithin = false;
    }
    read = keyword;
    const names = unescapeNames(text);
    flate ||= FLATE.test(names);
    const embeddedFile = embeddedFileWithin || EMBEDDED_FILE.test(names);
    embeddedFileWithin ||= EMBEDDED_FILE_WITHIN.test(names);
    return { flate, embeddedFile };
  };
}

function unescapeNames(text: string): string {
  return text.replace(/#([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
