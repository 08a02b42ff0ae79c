/** One central-directory record of a zip file. */
export interface ZipEntry {
  name: string;
  method: number;
  encrypted: boolean;
  compressed: number;
  size: number;
  /** Offset of the local header. */
  offset: number;
  /** Offset of the member's data (after the local header), or -1 when the local header is damaged. */
  dataStart: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  error?: string;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_U32 = 0xffffffff;

/** Reads the central directory (the authoritative list of a zip); never throws. */
export function readZipDirectory(buf: Buffer): ZipDirectory {
  const entries: ZipEntry[] = [];
  try {
    const eocd = findEocd(buf);
    if (eocd === -1) return { entries, error: 'no end-of-central-directory record' };
    let count = buf.readUInt16LE(eocd + 10);
    let cdOffset = buf.readUInt32LE(eocd + 16);
    const locator = eocd - 20;
    if (locator >= 0 && buf.readUInt32LE(locator) === ZIP64_LOCATOR) {
      const z64 = Number(buf.readBigUInt64LE(locator + 8));
      if (z64 + 56 <= buf.length && buf.readUInt32LE(z64) === ZIP64_EOCD) {
        count = Number(buf.readBigUInt64LE(z64 + 32));
        cdOffset = Number(buf.readBigUInt64LE(z64 + 48));
      }
    }
    let pos = cdOffset;
    for (let i = 0; i < count; i++) {
      if (pos + 46 > buf.length || buf.readUInt32LE(pos) !== CENTRAL) return { entries, error: `central directory record ${i} is damaged` };
      const flags = buf.readUInt16LE(pos + 8);
      const nameLength = buf.readUInt16LE(pos + 28);
      const extraLength = buf.readUInt16LE(pos + 30);
      const commentLength = buf.readUInt16LE(pos + 32);
      const nameBytes = buf.subarray(pos + 46, pos + 46 + nameLength);
      const entry: ZipEntry = {
        name: nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1'),
        method: buf.readUInt16LE(pos + 10),
        encrypted: (flags & 1) === 1,
        compressed: buf.readUInt32LE(pos + 20),
        size: buf.readUInt32LE(pos + 24),
        offset: buf.readUInt32LE(pos + 42),
        dataStart: -1,
      };
      applyZip64(entry, buf.subarray(pos + 46 + nameLength, pos + 46 + nameLength + extraLength));
      entry.dataStart = localDataStart(buf, entry.offset);
      entries.push(entry);
      pos += 46 + nameLength + extraLength + commentLength;
    }
    return { entries };
  } catch (err) {
    return { entries, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Members whose data ranges overlap (the non-recursive "zip bomb" construction: many central records
 * pointing into one shared deflate stream). Returns a description, or undefined.
 */
export function overlappingEntries(entries: readonly ZipEntry[]): string | undefined {
  const ranges = entries
    .filter((e) => e.dataStart >= 0)
    .map((e) => ({ name: e.name, start: e.offset, end: e.dataStart + e.compressed }))
    .sort((a, b) => a.start - b.start);
  let overlaps = 0;
  let first = '';
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.start < ranges[i - 1]!.end) {
      overlaps++;
      first ||= `${ranges[i - 1]!.name} and ${ranges[i]!.name}`;
    }
  }
  return overlaps ? `${overlaps} overlapping member(s), first ${first}` : undefined;
}

function findEocd(buf: Buffer): number {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf[i] === 0x50 && buf.readUInt32LE(i) === EOCD) return i;
  }
  return -1;
}

function localDataStart(buf: Buffer, offset: number): number {
  if (offset + 30 > buf.length || buf.readUInt32LE(offset) !== LOCAL) return -1;
  return offset + 30 + buf.readUInt16LE(offset + 26) + buf.readUInt16LE(offset + 28);
}

function applyZip64(entry: ZipEntry, extra: Buffer): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const length = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      if (entry.size === MAX_U32 && q + 8 <= extra.length) {
        entry.size = Number(extra.readBigUInt64LE(q));
        q += 8;
      }
      if (entry.compressed === MAX_U32 && q + 8 <= extra.length) {
        entry.compressed = Number(extra.readBigUInt64LE(q));
        q += 8;
      }
      if (entry.offset === MAX_U32 && q + 8 <= extra.length) entry.offset = Number(extra.readBigUInt64LE(q));
      return;
    }
    p += 4 + length;
  }
}
