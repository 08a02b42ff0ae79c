import type { ContentReport, InspectedFile } from '@moat/content';
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import type { Options, QRCode } from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is a CommonJS bundle whose module.exports is the decoder itself; required, it is the same function
// whichever ESM interop the caller runs under.
const jsQR = createRequire(import.meta.url)('jsqr') as (data: Uint8ClampedArray, width: number, height: number, options?: Options) => QRCode | null;

/** A QR code found in an attachment or inline image: where, and what it says. */
export interface FoundQrCode {
  file: string;
  text: string;
}

// Decoding is the costly part of the rules: a few images per message, of bounded size, each tried once.
const MAX_IMAGES = 4;
const MAX_PIXELS = 2_000_000;
const MAX_PDF_IMAGES = 4;
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
const PDF_JPEG = /\/DCTDecode/g;
const STREAM = /stream\r?\n/g;
const found = new WeakMap<ContentReport, FoundQrCode[]>();

/** The QR codes of a message's PNG and JPEG images and of the JPEG images inside its PDFs, worked out once. */
export function messageQrCodes(content: ContentReport): FoundQrCode[] {
  let codes = found.get(content);
  if (!codes) {
    codes = [];
    let tried = 0;
    for (const file of content.files) {
      if (tried >= MAX_IMAGES) break;
      for (const image of imagesOf(file)) {
        if (tried >= MAX_IMAGES) break;
        tried++;
        const text = decodeQr(image);
        if (text) codes.push({ file: file.name || file.path, text });
      }
    }
    found.set(content, codes);
  }
  return codes;
}

type Image = { kind: 'png' | 'jpeg'; data: Buffer };

function imagesOf(file: InspectedFile): Image[] {
  if (file.size > MAX_IMAGE_BYTES * 4) return [];
  if (file.type.mime === 'image/png') return [{ kind: 'png', data: file.content }];
  if (file.type.mime === 'image/jpeg') return [{ kind: 'jpeg', data: file.content }];
  return file.type.kind === 'pdf' ? pdfJpegs(file.content) : [];
}

/** The JPEG (DCTDecode) image streams of a PDF: each the bytes from "stream" to the JPEG end marker. */
function pdfJpegs(pdf: Buffer): Image[] {
  const text = pdf.toString('latin1');
  const images: Image[] = [];
  for (const filter of text.matchAll(PDF_JPEG)) {
    if (images.length >= MAX_PDF_IMAGES) break;
    STREAM.lastIndex = filter.index;
    const stream = STREAM.exec(text);
    if (!stream) break;
    const start = stream.index + stream[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0 || end - start > MAX_IMAGE_BYTES) continue;
    images.push({ kind: 'jpeg', data: pdf.subarray(start, end) });
  }
  return images;
}

/** The text of the QR code in an image, or undefined (none, too large, or not decodable). */
function decodeQr(image: Image): string | undefined {
  try {
    const pixels = image.kind === 'png' ? png(image.data) : jpeg.decode(image.data, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1_000_000, maxMemoryUsageInMB: 64 });
    if (!pixels || pixels.width * pixels.height > MAX_PIXELS) return undefined;
    const code = jsQR(new Uint8ClampedArray(pixels.data.buffer, pixels.data.byteOffset, pixels.data.length), pixels.width, pixels.height, { inversionAttempts: 'dontInvert' });
    return code?.data || undefined;
  } catch {
    return undefined;
  }
}

/** A PNG's RGBA pixels, when its header declares a size within the bound (read before decoding). */
function png(data: Buffer): { width: number; height: number; data: Uint8Array } | undefined {
  if (data.length < 24) return undefined;
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  if (width * height > MAX_PIXELS) return undefined;
  const decoded = PNG.sync.read(data);
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}
