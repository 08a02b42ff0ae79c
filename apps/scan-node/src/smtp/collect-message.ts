import type { Readable } from 'node:stream';

export type CollectedMessage = { raw: Buffer; tooBig: false } | { tooBig: true; bytes: number };

/**
 * Reads a DATA stream to its end. Bytes beyond MAXBYTES are counted and dropped rather than buffered, so an
 * oversized message costs no memory; the client still gets its reply only after the final dot. The message
 * is gathered into a SharedArrayBuffer: the reader threads (content/inspection-pool.ts) then read it
 * without a copy per message.
 */
export function collectMessage(stream: Readable, maxBytes: number): Promise<CollectedMessage> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      resolve(bytes > maxBytes ? { tooBig: true, bytes } : { raw: sharedConcat(chunks, bytes), tooBig: false });
    });
  });
}

function sharedConcat(chunks: readonly Buffer[], bytes: number): Buffer {
  const raw = Buffer.from(new SharedArrayBuffer(bytes));
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(raw, at);
  return raw;
}
