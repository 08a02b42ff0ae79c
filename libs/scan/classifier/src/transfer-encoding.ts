const HEX = /^[0-9A-Fa-f]{2}$/;

/** Quoted-printable (RFC 2045) to bytes; the input holds one char per byte (latin1). Malformed escapes stay as they are. */
export function decodeQuotedPrintable(input: string): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c !== 0x3d) {
      out[n++] = c & 0xff;
      continue;
    }
    // Soft line break: "=" at the end of a line.
    if (input[i + 1] === '\n') {
      i += 1;
      continue;
    }
    if (input[i + 1] === '\r' && input[i + 2] === '\n') {
      i += 2;
      continue;
    }
    const hex = input.slice(i + 1, i + 3);
    if (HEX.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = c;
    }
  }
  return out.subarray(0, n);
}

/** Decodes a part body (latin1 string) by its Content-Transfer-Encoding; unknown encodings pass through. */
export function decodeTransferEncoding(body: string, encoding: string): Buffer {
  switch (encoding.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body, 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return Buffer.from(body, 'latin1');
  }
}
