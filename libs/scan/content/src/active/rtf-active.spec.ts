import { describe, expect, it } from 'vitest';
import type { TrueType } from '../filetype/type-kind.js';
import { rtfActiveContent } from './rtf-active.js';

const RTF_TYPE: TrueType = { mime: 'application/rtf', ext: 'rtf', kind: 'rtf' };

/** An OLE1 object (version, format, class, topic, item, native data) in an RTF \objemb object. */
function rtfObject(className: string, native: Buffer): Buffer {
  const lengthString = (text: string): Buffer => {
    const bytes = Buffer.from(text, 'latin1');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0x0501, 0);
  header.writeUInt32LE(2, 4);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(native.length);
  const ole1 = Buffer.concat([header, lengthString(className), lengthString(''), lengthString(''), size, native]);
  return Buffer.from(`{\\rtf1{\\object\\objemb{\\*\\objdata ${ole1.toString('hex')}}}}`, 'latin1');
}

const analyze = (rtf: Buffer) => rtfActiveContent.analyze(rtf, RTF_TYPE, 1 << 20);

describe('RTF objects', () => {
  it('flags an embedded object and returns its native data, named after its class', () => {
    const result = analyze(rtfObject('Word.Document.8\0', Buffer.from('payload')));
    expect(result.issues.map((i) => i.symbol)).toEqual(['RTF_OBJECT']);
    expect(result.embedded).toEqual([{ name: 'Word.Document.8.bin', content: Buffer.from('payload') }]);
  });

  it('trims the NULs that end a class name in one pass, however many NULs come before its text', () => {
    const nuls = '\0'.repeat(100_000);
    expect(analyze(rtfObject(`${nuls}Word.Document.8${nuls}`, Buffer.from('payload'))).embedded.map((e) => e.name)).toEqual([`${nuls}Word.Document.8.bin`]);
  });
});
