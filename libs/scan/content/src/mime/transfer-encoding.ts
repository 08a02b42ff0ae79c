import { decodeUuencoded } from './uuencode.js';

/** A decoded body, or why the encoding could not be applied (the raw bytes are kept then). */
export interface DecodedBody {
  content: Buffer;
  error?: string;
  /** The file name a uuencoded body gives in its begin line (what uudecode saves it as). */
  name?: string;
}

const PASS_THROUGH = new Set(['7bit', '8bit', 'binary', '']);
const UU = new Set(['x-uuencode', 'uuencode', 'x-uue']);

/** Applies a Content-Transfer-Encoding. Lenient like mail clients: what they would show, we scan. */
export function decodeTransfer(body: Buffer, encoding: string): DecodedBody {
  if (PASS_THROUGH.has(encoding)) return { content: body };
  if (encoding === 'base64') return { content: Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64') };
  if (encoding === 'quoted-printable') return { content: decodeQuotedPrintable(body) };
  if (UU.has(encoding)) {
    const block = decodeUuencoded(body)[0];
    return block ? { content: block.content, name: block.name } : { content: body, error: 'uuencoded body without a begin line' };
  }
  return { content: body, error: `unknown transfer encoding "${encoding}"` };
}

const HEX = /^[0-9A-Fa-f]{2}$/;

export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (byte !== 0x3d) {
      out[o++] = byte;
      continue;
    }
    // Soft line break: "=" then optional whitespace then (CR)LF.
    let j = i + 1;
    while (j < body.length && (body[j] === 0x20 || body[j] === 0x09)) j++;
    if (j < body.length && body[j] === 0x0d && body[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (j < body.length && body[j] === 0x0a) {
      i = j;
      continue;
    }
    if (j >= body.length) break;
    const hex = body.toString('latin1', i + 1, i + 3);
    if (HEX.test(hex)) {
      out[o++] = parseInt(hex, 16);
      i += 2;
    } else out[o++] = byte;
  }
  return out.subarray(0, o);
}
