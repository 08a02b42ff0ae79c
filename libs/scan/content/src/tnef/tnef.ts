import { decompressRtf } from './compressed-rtf.js';

/** A file inside a TNEF (winmail.dat) container: an attachment, or the message body as body.rtf / body.html. */
export interface TnefFile {
  name: string;
  content: Buffer;
}

export interface TnefContents {
  files: TnefFile[];
  /** Why reading stopped before the end, if it did; `files` holds what came before. */
  error?: string;
}

export const TNEF_SIGNATURE = 0x223e9f78;

const LEVEL_ATTACHMENT = 2;
const ATT_ATTACH_RENDDATA = 0x9002;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACHMENT = 0x9005;
const ATT_MAPI_PROPS = 0x9003;

const PR_ATTACH_DATA = 0x3701;
const PR_ATTACH_FILENAME = 0x3704;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;

const UNTITLED = 'Untitled Attachment';

export function isTnef(data: Buffer): boolean {
  return data.length >= 6 && data.readUInt32LE(0) === TNEF_SIGNATURE;
}

interface PendingAttachment {
  title: string;
  longName: string;
  content: Buffer | undefined;
}

/** Reads a TNEF stream; never throws. `maxBytes` bounds the body decompression. */
export function readTnef(data: Buffer, maxBytes: number): TnefContents {
  const files: TnefFile[] = [];
  let attachment: PendingAttachment | undefined;
  const finish = (): void => {
    if (attachment?.content) files.push({ name: attachment.longName || attachment.title || UNTITLED, content: attachment.content });
    attachment = undefined;
  };
  try {
    if (!isTnef(data)) throw new Error('not a TNEF stream');
    let pos = 6;
    while (pos + 9 <= data.length) {
      const level = data[pos]!;
      const id = data.readUInt32LE(pos + 1) & 0xffff;
      const length = data.readUInt32LE(pos + 5);
      const start = pos + 9;
      if (start + length + 2 > data.length) throw new Error(`attribute 0x${id.toString(16)} runs past the end`);
      const value = data.subarray(start, start + length);
      pos = start + length + 2;
      if (level === LEVEL_ATTACHMENT) {
        if (id === ATT_ATTACH_RENDDATA) {
          finish();
          attachment = { title: '', longName: '', content: undefined };
        } else if (attachment && id === ATT_ATTACH_TITLE) attachment.title = cString(value);
        else if (attachment && id === ATT_ATTACH_DATA) attachment.content = value;
        else if (attachment && id === ATT_ATTACHMENT) {
          for (const prop of readMapiProps(value)) {
            if (prop.id === PR_ATTACH_LONG_FILENAME && prop.text) attachment.longName = prop.text;
            else if (prop.id === PR_ATTACH_FILENAME && prop.text && !attachment.title) attachment.title = prop.text;
            else if (prop.id === PR_ATTACH_DATA && prop.bytes && !attachment.content) attachment.content = prop.bytes;
          }
        }
      } else if (id === ATT_MAPI_PROPS) {
        for (const prop of readMapiProps(value)) {
          if (prop.id === PR_RTF_COMPRESSED && prop.bytes) files.push({ name: 'body.rtf', content: decompressRtf(prop.bytes, maxBytes) });
          else if (prop.id === PR_HTML && (prop.bytes || prop.text)) files.push({ name: 'body.html', content: prop.bytes ?? Buffer.from(prop.text ?? '') });
        }
      }
    }
    finish();
    return { files };
  } catch (err) {
    finish();
    return { files, error: err instanceof Error ? err.message : String(err) };
  }
}

function cString(value: Buffer): string {
  const nul = value.indexOf(0);
  return value.toString('latin1', 0, nul === -1 ? value.length : nul).trim();
}

interface MapiProp {
  id: number;
  text?: string;
  bytes?: Buffer;
}

const FIXED_SIZES: Record<number, number> = { 0x1: 4, 0x2: 4, 0x3: 4, 0x4: 4, 0x5: 8, 0x6: 8, 0x7: 8, 0xa: 4, 0xb: 4, 0x14: 8, 0x40: 8, 0x48: 16 };
const PT_STRING8 = 0x1e;
const PT_UNICODE = 0x1f;
const PT_BINARY = 0x102;
const PT_OBJECT = 0x0d;
const MULTI = 0x1000;
// Matched only from the start of a run ((?<!\0)): /\0+$/ tried again from every NUL of a run that text follows,
// seconds on a 64 KB name of NULs.
const TRAILING_NULS = /(?<!\0)\0+$/;

/** MS-OXTNEF attMAPIProps / attAttachment: a counted list of tagged MAPI properties. */
function readMapiProps(data: Buffer): MapiProp[] {
  const props: MapiProp[] = [];
  let pos = 0;
  const count = data.readUInt32LE(pos);
  pos += 4;
  for (let n = 0; n < count && pos + 4 <= data.length; n++) {
    const type = data.readUInt16LE(pos);
    const id = data.readUInt16LE(pos + 2);
    pos += 4;
    if (id >= 0x8000) {
      const kind = data.readUInt32LE(pos + 16);
      pos += 20;
      pos += kind === 0 ? 4 : 4 + align4(data.readUInt32LE(pos));
    }
    const base = type & ~MULTI;
    const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
    const values = variable || type & MULTI ? data.readUInt32LE(pos) : 1;
    if (variable || type & MULTI) pos += 4;
    for (let v = 0; v < values; v++) {
      if (variable) {
        const length = data.readUInt32LE(pos);
        const bytes = data.subarray(pos + 4, pos + 4 + length);
        pos += 4 + align4(length);
        if (v > 0) continue;
        if (base === PT_UNICODE) props.push({ id, text: bytes.toString('utf16le').replace(TRAILING_NULS, '') });
        else if (base === PT_STRING8) props.push({ id, text: bytes.toString('latin1').replace(TRAILING_NULS, '') });
        // PT_OBJECT starts with the 16-byte interface id of the object.
        else props.push({ id, bytes: base === PT_OBJECT ? bytes.subarray(16) : bytes });
      } else {
        const size = FIXED_SIZES[base];
        if (size === undefined) throw new Error(`unknown MAPI property type 0x${base.toString(16)}`);
        pos += size;
      }
    }
  }
  return props;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
