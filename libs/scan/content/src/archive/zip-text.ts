import { inflateRawSync } from 'node:zlib';
import type { ZipEntry } from './zip-directory.js';

/**
 * One stored or deflated member of a zip read in memory, at most `maxBytes`, for the type and
 * active-content detectors that look inside Office packages. '' / empty when it cannot be read.
 */
export function readZipBytes(zip: Buffer, entry: ZipEntry, maxBytes: number): Buffer {
  if (entry.dataStart < 0 || entry.encrypted) return Buffer.alloc(0);
  const raw = zip.subarray(entry.dataStart, entry.dataStart + entry.compressed);
  if (entry.method === 0) return raw.subarray(0, maxBytes);
  if (entry.method !== 8) return Buffer.alloc(0);
  try {
    return inflateRawSync(raw, { maxOutputLength: maxBytes });
  } catch {
    // Damaged, or larger than the detectors read: the archive reader reports the member itself.
    return Buffer.alloc(0);
  }
}

export function readZipText(zip: Buffer, entry: ZipEntry, maxBytes: number): string {
  return readZipBytes(zip, entry, maxBytes).toString('utf8');
}
