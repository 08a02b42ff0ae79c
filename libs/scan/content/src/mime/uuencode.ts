/** One uuencoded file found in a text body. */
export interface UuBlock {
  name: string;
  content: Buffer;
}

const BEGIN = /^begin(?:-base64)? +[0-7]{3,4} +(.+?)\r?$/gm;

/**
 * Finds and decodes every `begin <mode> <name>` ... `end` block. Decoding works line by line on the raw
 * bytes, so its cost is linear in the body.
 */
export function decodeUuencoded(body: Buffer): UuBlock[] {
  const text = body.toString('latin1');
  const blocks: UuBlock[] = [];
  for (const match of text.matchAll(BEGIN)) {
    const start = match.index + match[0].length + 1;
    const stop = text.indexOf('\nend', start);
    const lines = text.slice(start, stop === -1 ? text.length : stop).split('\n');
    const chunks: Buffer[] = [];
    for (const line of lines) {
      const decoded = decodeLine(line.replace(/\r$/, ''));
      if (decoded === undefined) break;
      chunks.push(decoded);
    }
    blocks.push({ name: match[1] ?? '', content: Buffer.concat(chunks) });
  }
  return blocks;
}

function decodeLine(line: string): Buffer | undefined {
  if (line === '' || line === '`') return Buffer.alloc(0);
  const length = (line.charCodeAt(0) - 32) & 0x3f;
  if (length === 0) return Buffer.alloc(0);
  const out = Buffer.alloc(length);
  let o = 0;
  for (let i = 1; o < length; i += 4) {
    const c = [0, 1, 2, 3].map((k) => ((line.charCodeAt(i + k) || 32) - 32) & 0x3f);
    const bytes = [(c[0]! << 2) | (c[1]! >> 4), ((c[1]! & 0xf) << 4) | (c[2]! >> 2), ((c[2]! & 0x3) << 6) | c[3]!];
    for (const b of bytes) if (o < length) out[o++] = b & 0xff;
    if (i > line.length + 4) return undefined;
  }
  return out;
}
