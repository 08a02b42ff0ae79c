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
    for (const match of raw.matchAll(/stream\r?\n/g)) {
      if (++streams > MAX_STREAMS || budget <= 0) break;
      const start = match.index + match[0].length;
      const end = raw.indexOf('endstream', start);
      if (end === -1) break;
      const dictionary = raw.slice(Math.max(0, raw.lastIndexOf('obj', match.index)), match.index);
      const body = data.subarray(start, end);
      let content: Buffer = body;
      if (/\/FlateDecode/.test(unescapeNames(dictionary))) {
        try {
          content = inflateSync(body, { maxOutputLength: budget, finishFlush: constants.Z_SYNC_FLUSH });
        } catch {
          continue;
        }
      }
      budget -= content.length;
      if (/\/Type\s*\/EmbeddedFile\b/.test(unescapeNames(dictionary))) embedded.push({ name: `embedded-${embedded.length + 1}.bin`, content });
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

function unescapeNames(text: string): string {
  return text.replace(/#([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
