import { describe, expect, it } from 'vitest';
import { readTnef, TNEF_SIGNATURE } from './tnef.js';

const LEVEL_ATTACHMENT = 2;
const PT_STRING8 = 0x1e;
const PR_ATTACH_LONG_FILENAME = 0x3707;

function attribute(id: number, type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head[0] = LEVEL_ATTACHMENT;
  head.writeUInt32LE(((type << 16) | id) >>> 0, 1);
  head.writeUInt32LE(value.length, 5);
  return Buffer.concat([head, value, Buffer.alloc(2)]);
}

/** A TNEF stream with one attachment whose long file name (PT_STRING8) is `name`. */
function tnefWithAttachment(name: string, content: Buffer): Buffer {
  const bytes = Buffer.from(name, 'latin1');
  const props = Buffer.alloc(16);
  props.writeUInt32LE(1, 0); // one property
  props.writeUInt16LE(PT_STRING8, 4);
  props.writeUInt16LE(PR_ATTACH_LONG_FILENAME, 6);
  props.writeUInt32LE(1, 8); // one value
  props.writeUInt32LE(bytes.length, 12);
  const padded = Buffer.concat([props, bytes, Buffer.alloc((4 - (bytes.length % 4)) % 4)]);
  const signature = Buffer.alloc(6);
  signature.writeUInt32LE(TNEF_SIGNATURE, 0);
  return Buffer.concat([signature, attribute(0x9002, 0x6, Buffer.alloc(14)), attribute(0x9005, 0x6, padded), attribute(0x800f, 0x6, content)]);
}

describe('TNEF', () => {
  it('names an attachment by its long file name, without the NULs that end it', () => {
    expect(readTnef(tnefWithAttachment('invoice.pdf.exe\0\0', Buffer.from('MZ')), 1 << 20)).toEqual({ files: [{ name: 'invoice.pdf.exe', content: Buffer.from('MZ') }] });
  });

  it('trims those NULs in one pass, however many NULs come before the name', () => {
    const nuls = '\0'.repeat(100_000);
    expect(readTnef(tnefWithAttachment(`${nuls}invoice.pdf.exe${nuls}`, Buffer.from('MZ')), 1 << 20).files.map((f) => f.name)).toEqual([`${nuls}invoice.pdf.exe`]);
  });
});
