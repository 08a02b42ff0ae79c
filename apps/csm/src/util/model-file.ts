import { crc32 } from 'node:zlib';

// The envelope of @moat/classifier's model format (libs/scan/classifier/src/serialize.ts): "MOATCLF", a format
// version byte, a u32-length JSON header holding `version`, ... and a CRC-32 of everything before it. The CSM
// may import shared libraries only, so it checks this much itself to refuse a damaged upload with a clear
// error; nodes parse and verify the whole model before they use it.
const MAGIC = Buffer.from('MOATCLF', 'latin1');
const FORMAT_VERSION = 1;
const VERSION = /^[0-9a-f]{16}$/;

/** A model version as the object store names models: the content hash, 16 lowercase hex digits. */
export function isModelVersion(value: string): boolean {
  return VERSION.test(value);
}

/** The model version written in a model file; throws an Error saying what is wrong with the file. */
export function readModelVersion(bytes: Buffer): string {
  if (bytes.length < 16 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a Moat classifier model (bad magic)');
  if (bytes[MAGIC.length] !== FORMAT_VERSION) throw new Error(`model format version ${bytes[MAGIC.length]} is not supported (this CSM reads ${FORMAT_VERSION})`);
  const body = bytes.subarray(0, bytes.length - 4);
  if (crc32(body) !== bytes.readUInt32LE(bytes.length - 4)) throw new Error('checksum mismatch (file truncated or corrupted)');
  const headerLength = body.readUInt32LE(MAGIC.length + 1);
  const headerStart = MAGIC.length + 5;
  if (headerStart + headerLength > body.length) throw new Error('truncated header');
  let header: unknown;
  try {
    header = JSON.parse(body.subarray(headerStart, headerStart + headerLength).toString('utf8'));
  } catch {
    throw new Error('header is not JSON');
  }
  const version = typeof header === 'object' && header !== null ? (header as Record<string, unknown>)['version'] : undefined;
  if (typeof version !== 'string' || !VERSION.test(version)) throw new Error('header has no model version');
  return version;
}
