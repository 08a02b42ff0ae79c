import type { Member } from '../archive/types.js';

/**
 * The file inside an `\x01Ole10Native` stream (the OLE Packager: what Office embeds when a user drops a file
 * into a document): u32 size, u16 flags, label, source path, u32, u32 temp-path length, temp path,
 * u32 data length, data.
 */
export function readOle10Native(stream: Buffer, fallbackName: string): Member | undefined {
  let label = '';
  try {
    let pos = 4 + 2;
    const first = cString(stream, pos);
    label = first.text;
    pos = first.next;
    const source = cString(stream, pos);
    label ||= basename(source.text);
    pos = source.next + 4;
    const tempLength = stream.readUInt32LE(pos);
    pos += 4 + tempLength;
    const dataLength = stream.readUInt32LE(pos);
    pos += 4;
    if (pos + dataLength <= stream.length) return { name: label || fallbackName, content: stream.subarray(pos, pos + dataLength) };
  } catch {
    // Not the embedded-file layout (a linked package, or an object in native form): keep what was read.
  }
  return stream.length > 4 ? { name: label || fallbackName, content: stream.subarray(4) } : undefined;
}

function cString(buf: Buffer, pos: number): { text: string; next: number } {
  const end = buf.indexOf(0, pos);
  if (end === -1) throw new Error('unterminated string');
  return { text: buf.toString('latin1', pos, end), next: end + 1 };
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? '';
}

const LNK_MAGIC = Buffer.from('4c0000000114020000000000c000000000000046', 'hex');

export function isLnk(data: Buffer): boolean {
  return data.subarray(0, 20).equals(LNK_MAGIC);
}
