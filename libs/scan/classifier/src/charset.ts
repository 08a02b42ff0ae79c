import { TextDecoder } from 'node:util';

// Byte-to-text decoding for mail. Node's TextDecoder (full ICU) knows every WHATWG label, which covers what
// mail uses in practice, including the Korean aliases (ks_c_5601-1987, euc-kr) and ISO-2022-JP; anything it
// does not know falls back to windows-1252 so that no text is ever lost to an exception.

const decoders = new Map<string, TextDecoder>();
const fallback = new TextDecoder('windows-1252');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decoderFor(charset: string): TextDecoder {
  const label = charset.trim().toLowerCase();
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = fallback;
    }
    decoders.set(label, decoder);
  }
  return decoder;
}

/** Decodes bytes in the declared charset; an unknown or missing charset is guessed (UTF-8, else windows-1252). */
export function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  if (charset) return decoderFor(charset).decode(bytes);
  return decodeUndeclared(bytes);
}

/** Text without a declared charset: UTF-8 when it is valid UTF-8, otherwise the usual Western default. */
export function decodeUndeclared(bytes: Uint8Array, guess?: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return guess ? decoderFor(guess).decode(bytes) : fallback.decode(bytes);
  }
}
