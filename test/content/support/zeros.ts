import { createDeflateRaw, createGzip } from 'node:zlib';

/** `size` zero bytes compressed by a streaming compressor (gzip or raw deflate), never held in memory uncompressed. */
export async function compressZeros(size: number, gzip: boolean): Promise<Buffer> {
  const stream = gzip ? createGzip({ level: 9 }) : createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => stream.on('end', resolve));
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    if (!stream.write(block)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await done;
  return Buffer.concat(chunks);
}
