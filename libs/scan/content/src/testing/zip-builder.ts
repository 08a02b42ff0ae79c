import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipMember {
  name: string;
  data: Buffer;
}

/** A plain zip (deflate) written by hand, so tests can also write what no zip tool would. */
export function buildZip(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const compressed = deflateRawSync(member.data);
    const name = Buffer.from(member.name, 'utf8');
    const local = localHeader(name, compressed.length, member.data.length, crc32(member.data));
    locals.push(local, compressed);
    centrals.push(centralRecord(name, compressed.length, member.data.length, crc32(member.data), offset));
    offset += local.length + compressed.length;
  }
  return Buffer.concat([...locals, ...centrals, endRecord(centrals.length, Buffer.concat(centrals).length, offset)]);
}

/**
 * The overlapping-entry bomb (Fifield's construction, simplified): one deflate stream of `size` bytes and
 * `copies` central-directory records that all point at it. Each record claims the full size.
 */
export function buildOverlappingZip(compressed: Buffer, size: number, crc: number, copies: number): Buffer {
  const name = Buffer.from('0', 'utf8');
  const local = localHeader(name, compressed.length, size, crc);
  const centrals = Array.from({ length: copies }, (_, i) => centralRecord(Buffer.from(String(i)), compressed.length, size, crc, 0));
  const directory = Buffer.concat(centrals);
  return Buffer.concat([local, compressed, directory, endRecord(copies, directory.length, local.length + compressed.length)]);
}

function localHeader(name: Buffer, compressed: number, size: number, crc: number): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0x0800, 6);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(crc >>> 0, 14);
  header.writeUInt32LE(compressed, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name]);
}

function centralRecord(name: Buffer, compressed: number, size: number, crc: number, offset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(0x0800, 8);
  header.writeUInt16LE(8, 10);
  header.writeUInt32LE(crc >>> 0, 16);
  header.writeUInt32LE(compressed, 20);
  header.writeUInt32LE(size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt32LE(offset, 42);
  return Buffer.concat([header, name]);
}

function endRecord(count: number, directoryBytes: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directoryBytes, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}
