import { deflateRawSync } from 'node:zlib';
import CFB from 'cfb';

export interface HwpOptions {
  /** Source of Scripts/DefaultJScript after the default header every HWP editor writes; none: no script stream. */
  script?: string;
  /** FileHeader flag bit 0: streams are raw-deflated (what Hangul writes). Default true. */
  compressed?: boolean;
  /** FileHeader flag bit 1: password protection. */
  password?: boolean;
  /** Paragraphs of BodyText/Section0, one PARA_TEXT record each; none: an empty section. */
  paragraphs?: readonly string[];
}

// What Hangul writes before every document's script: the object aliases, not code of the author's.
const SCRIPT_HEADER = 'var Documents = XHwpDocuments;\r\nvar Document = Documents.Active_XHwpDocument;\r\n';

/** A minimal HWP 5 compound file (FileHeader with its signature and flags, optionally a script stream). */
export function buildHwp(options: HwpOptions = {}): Buffer {
  const compressed = options.compressed ?? true;
  const header = Buffer.alloc(256);
  header.write('HWP Document File', 0, 'latin1');
  header.writeUInt32LE(0x05010001, 32);
  header.writeUInt32LE((compressed ? 1 : 0) | (options.password ? 2 : 0), 36);
  const container = CFB.utils.cfb_new();
  CFB.utils.cfb_add(container, 'FileHeader', header);
  CFB.utils.cfb_add(container, 'DocInfo', Buffer.alloc(16));
  const section = options.paragraphs ? Buffer.concat(options.paragraphs.map(paraTextRecord)) : Buffer.alloc(16);
  CFB.utils.cfb_add(container, 'BodyText/Section0', compressed && options.paragraphs ? deflateRawSync(section) : section);
  if (options.script !== undefined) {
    const stream = scriptStream(SCRIPT_HEADER, options.script);
    CFB.utils.cfb_add(container, 'Scripts/DefaultJScript', compressed ? deflateRawSync(stream) : stream);
  }
  const written: unknown = CFB.write(container, { type: 'buffer' });
  if (!Buffer.isBuffer(written)) throw new Error('cfb did not write a buffer');
  return written;
}

/** The script stream layout: length-prefixed UTF-16 header and source, empty pre/post sources, then -1. */
function scriptStream(header: string, source: string): Buffer {
  const text = (s: string): Buffer[] => [uint32(s.length), Buffer.from(s, 'utf16le')];
  return Buffer.concat([...text(header), ...text(source), uint32(0), uint32(0), uint32(0xffffffff)]);
}

// HWPTAG_PARA_TEXT (0x10 + 51): the paragraph's UTF-16LE text, a table control (11, 8 code units) before it
// as Hangul writes one, and the paragraph break (13).
function paraTextRecord(text: string): Buffer {
  const table = Buffer.alloc(16);
  table.writeUInt16LE(11, 0);
  table.write('tbl ', 2, 'latin1');
  table.writeUInt16LE(11, 14);
  const body = Buffer.concat([table, Buffer.from(text + '\r', 'utf16le')]);
  const header = body.length < 0xfff ? [uint32((0x10 + 51) | (body.length << 20))] : [uint32((0x10 + 51) | (0xfff << 20)), uint32(body.length)];
  return Buffer.concat([...header, body]);
}

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return b;
}
