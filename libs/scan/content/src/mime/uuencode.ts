/** One uuencoded file found in a text body. */
export interface UuBlock {
  name: string;
  content: Buffer;
}

const BEGIN = /^begin(?:-base64)? +[0-7]{3,4} +(\S.*?)\r?$/gm;

/**
 * Finds and decodes every `begin <mode> <name>` ... `end` block. A block also ends where the next begin line
 * starts, and the `end` line is searched once for a run of begin lines, not again from each of them: so every
 * line is decoded once and the cost is linear in the body (a body of begin lines was decoded over and over into
 * ever longer files: 0.5 s for 24 KB of them, minutes for 240 KB).
 */
export function decodeUuencoded(body: Buffer): UuBlock[] {
  const text = body.toString('latin1');
  const blocks: UuBlock[] = [];
  const begins = [...text.matchAll(BEGIN)];
  let end = 0; // the first "\nend" after the current begin line (-1: none after it, nor after any later one)
  for (const [i, match] of begins.entries()) {
    const start = match.index + match[0].length + 1;
    if (end !== -1 && end < start) end = text.indexOf('\nend', start);
    const next = begins[i + 1]?.index ?? text.length;
    const lines = text.slice(start, end === -1 ? next : Math.min(end, next)).split('\n');
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
