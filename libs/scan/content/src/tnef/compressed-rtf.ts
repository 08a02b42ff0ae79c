// MS-OXRTFCP compressed RTF (PR_RTF_COMPRESSED), the body Outlook stores in winmail.dat.
const PREFIX =
  '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';
const LZFU = 0x75465a4c;
const MELA = 0x414c454d;

/** Decompresses a compressed-RTF property; at most `maxBytes` of output. Throws on a damaged header. */
export function decompressRtf(data: Buffer, maxBytes: number): Buffer {
  if (data.length < 16) throw new Error('compressed RTF shorter than its header');
  const rawSize = data.readUInt32LE(4);
  const kind = data.readUInt32LE(8);
  if (kind === MELA) return data.subarray(16, 16 + Math.min(rawSize, maxBytes));
  if (kind !== LZFU) throw new Error('unknown compressed RTF type');
  const dict = Buffer.alloc(4096);
  dict.write(PREFIX, 'latin1');
  let write = PREFIX.length;
  const limit = Math.min(rawSize, maxBytes);
  const out = Buffer.alloc(limit);
  let o = 0;
  let i = 16;
  while (i < data.length && o < limit) {
    const control = data[i++]!;
    for (let bit = 0; bit < 8 && i < data.length && o < limit; bit++) {
      if ((control & (1 << bit)) === 0) {
        const byte = data[i++]!;
        out[o++] = byte;
        dict[write] = byte;
        write = (write + 1) & 0xfff;
        continue;
      }
      const ref = data.readUInt16BE(i);
      i += 2;
      const offset = ref >> 4;
      if (offset === write) return out.subarray(0, o);
      const length = (ref & 0xf) + 2;
      for (let k = 0; k < length && o < limit; k++) {
        const byte = dict[(offset + k) & 0xfff]!;
        out[o++] = byte;
        dict[write] = byte;
        write = (write + 1) & 0xfff;
      }
    }
  }
  return out.subarray(0, o);
}
