// The few DER (X.690) encodings and the reader that certificate requests and the node CA's certificates need.
// Written here rather than taken from @peculiar/x509: this workspace resolves several copies of
// @peculiar/asn1-schema, between which that library's schemas are not found (see selfSignedCertificate).

/** Tag and definite length, then CONTENT. */
export function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const octetString = (content: Buffer): Buffer => tlv(0x04, content);
/** A BIT STRING of whole bytes (no unused bits). */
export const bitString = (content: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));
export const smallInteger = (value: number): Buffer => tlv(0x02, Buffer.from([value]));
/** A non-negative INTEGER from its big-endian magnitude (a leading zero byte added when the top bit is set). */
export const unsignedInteger = (magnitude: Buffer): Buffer => tlv(0x02, (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
export const booleanTrue = (): Buffer => Buffer.from([0x01, 0x01, 0xff]);
/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 4.1.2.5), to the second, in UTC. */
export function time(date: Date): Buffer {
  const digits = date.toISOString().slice(0, 19).replace(/[-T:]/g, '');
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
/** [n] IMPLICIT, constructed. */
export const contextConstructed = (n: number, content: Buffer): Buffer => tlv(0xa0 | n, content);
/** [n] IMPLICIT, primitive (a GeneralName's dNSName is [2] IA5String). */
export const contextPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const first = arcs[0] ?? 0;
  const second = arcs[1] ?? 0;
  const bytes: number[] = [first * 40 + second];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc % 128];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift(0x80 | rest % 128);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** Base64 in 64-character lines between BEGIN and END lines. */
export function pem(label: string, der: Buffer): string {
  const base64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** DER that does not parse; the message says where. */
export class DerError extends Error {
  override name = 'DerError';
}

/** One decoded TLV: its tag, its whole encoding and its content. */
export interface DerElement {
  tag: number;
  raw: Buffer;
  content: Buffer;
}

/** The element at OFFSET of DER (definite lengths of up to 4 bytes, as certificates use). */
export function readElement(der: Buffer, offset = 0): DerElement {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) throw new DerError(`truncated at byte ${offset}`);
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > der.length) throw new DerError(`bad length at byte ${offset}`);
    length = der.readUIntBE(offset + 2, count);
    header += count;
  }
  const end = offset + header + length;
  if (end > der.length) throw new DerError(`element at byte ${offset} runs past the end`);
  return { tag, raw: der.subarray(offset, end), content: der.subarray(offset + header, end) };
}

/** The elements of a constructed element's content, in order. */
export function childrenOf(element: DerElement): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < element.content.length; ) {
    const child = readElement(element.content, offset);
    children.push(child);
    offset += child.raw.length;
  }
  return children;
}
