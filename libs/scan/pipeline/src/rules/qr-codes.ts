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

// Decoding is the costly part of the rules: a few images per message, of bounded size, each tried once, and
// none after a second spent on them. The locator's time grows faster than the pixel count on noisy images
// (12 s on 2 megapixels of noise), so it sees the image sampled down to at most SCAN_SIDE pixels a side: a QR
// code in a lure fills much of its image, and keeps modules of several pixels.
const MAX_IMAGES = 3;
const MAX_PIXELS = 2_000_000;
const SCAN_SIDE = 640;
const BUDGET_MS = 1000;
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
    const started = performance.now();
    const spent = () => tried >= MAX_IMAGES || performance.now() - started > BUDGET_MS;
    for (const file of content.files) {
      if (spent()) break;
      for (const image of imagesOf(file)) {
        if (spent()) break;
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
  let attempts = 0;
  for (const filter of text.matchAll(PDF_JPEG)) {
    // Each attempt searches forward through the file: a bounded number of them keeps this linear.
    if (images.length >= MAX_PDF_IMAGES || ++attempts > 4 * MAX_PDF_IMAGES) break;
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
    const scan = sampled(pixels);
    return jsQR(scan.data, scan.width, scan.height, { inversionAttempts: 'dontInvert' })?.data || undefined;
  } catch {
    return undefined;
  }
}

/** RGBA pixels taken every n-th row and column so that neither side exceeds SCAN_SIDE (nearest neighbour). */
function sampled(image: { width: number; height: number; data: Uint8Array }): { width: number; height: number; data: Uint8ClampedArray } {
  const step = Math.ceil(Math.max(image.width, image.height) / SCAN_SIDE);
  const source = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  if (step <= 1) return { width: image.width, height: image.height, data: source };
  const width = Math.floor(image.width / step);
  const height = Math.floor(image.height / step);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * step * image.width + x * step) * 4;
      data.set(source.subarray(from, from + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data };
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
