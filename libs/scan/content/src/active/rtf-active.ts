import type { Member } from '../archive/types.js';
import { NOTHING, type ActiveContentDetector } from './analysis.js';
import { readOle10Native } from './ole-embedded.js';

const OBJECT = /\\obj(emb|link|autlink|data|ocx|html|pub|sub|icemb)\b/;

/** RTF objects (\object with \objemb, \objlink, \objdata, ...): the OLE1 object data comes back to be scanned. */
export const rtfActiveContent: ActiveContentDetector = {
  name: 'rtf',
  applies: (type) => type.kind === 'rtf',
  analyze(data) {
    const text = data.toString('latin1');
    const kind = OBJECT.exec(text);
    if (!kind) return NOTHING;
    const embedded: Member[] = [];
    for (const match of text.matchAll(/\\objdata\b([\s0-9A-Fa-f]*)/g)) {
      const hex = (match[1] ?? '').replace(/\s+/g, '');
      const object = readOle1Object(Buffer.from(hex.length % 2 ? hex.slice(0, -1) : hex, 'hex'));
      if (object) embedded.push(object);
    }
    return { issues: [{ symbol: 'RTF_OBJECT', detail: `\\obj${kind[1]} object` }], embedded };
  },
};

/** OLE1 ObjectHeader (version, format, class, topic, item) then native data; Package objects hold a file. */
function readOle1Object(data: Buffer): Member | undefined {
  try {
    let pos = 8;
    const className = lengthString(data, pos);
    pos = className.next;
    pos = lengthString(data, pos).next;
    pos = lengthString(data, pos).next;
    const size = data.readUInt32LE(pos);
    const native = data.subarray(pos + 4, pos + 4 + size);
    if (className.text === 'Package') return readOle10Native(Buffer.concat([Buffer.alloc(4), native]), 'package.bin');
    return { name: `${className.text || 'object'}.bin`, content: native };
  } catch {
    return data.length ? { name: 'objdata.bin', content: data } : undefined;
  }
}

// The trailing NULs are matched only from the start of a run ((?<!\0)): /\0+$/ tried again from every NUL of a run
// that text follows, seconds on a 64 KB class name of NULs.
function lengthString(data: Buffer, pos: number): { text: string; next: number } {
  const length = data.readUInt32LE(pos);
  return { text: data.toString('latin1', pos + 4, pos + 4 + length).replace(/(?<!\0)\0+$/, ''), next: pos + 4 + length };
}
