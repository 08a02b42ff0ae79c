import { describe, expect, it } from 'vitest';
import { buildOverlappingZip, buildZip } from '../testing/zip-builder.js';
import { overlappingEntries, readZipDirectory } from './zip-directory.js';

describe('zip central directory', () => {
  it('lists members with their sizes and data offsets', () => {
    const zip = buildZip([
      { name: 'a.txt', data: Buffer.from('alpha') },
      { name: '../evil.sh', data: Buffer.from('beta') },
    ]);
    const { entries, error } = readZipDirectory(zip);
    expect(error).toBeUndefined();
    expect(entries.map((e) => [e.name, e.size, e.method, e.encrypted])).toEqual([
      ['a.txt', 5, 8, false],
      ['../evil.sh', 4, 8, false],
    ]);
    expect(overlappingEntries(entries)).toBeUndefined();
  });

  it('finds members that share their data (overlapping-entry bomb)', () => {
    const zip = buildOverlappingZip(Buffer.from([3, 0]), 0, 0, 3);
    expect(overlappingEntries(readZipDirectory(zip).entries)).toBe('2 overlapping member(s), first 0 and 1');
  });

  it('reports a file without an end record', () => {
    expect(readZipDirectory(Buffer.from('PK\x03\x04 truncated')).error).toBe('no end-of-central-directory record');
  });
});
