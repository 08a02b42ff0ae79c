import { readZipDirectory } from '../archive/zip-directory.js';
import { readZipText } from '../archive/zip-text.js';
import type { TrueType } from '../filetype/type-kind.js';
import { hwpText } from './hwp-text.js';
import { pdfText } from './pdf-text.js';
import { xmlText } from './xml-text.js';

/** A file to read text from: an `InspectedFile` of `inspectMessage` (MIME leaf, archive member, embedded object). */
export interface TextSource {
  path: string;
  name: string;
  type: TrueType;
  content: Buffer;
}

export interface TextLimits {
  /** Characters of text taken from one message, all files together. */
  maxChars: number;
  /** Wall time spent extracting for one message; the files after it are not read. */
  maxMs: number;
}

export const DEFAULT_TEXT_LIMITS: Readonly<TextLimits> = Object.freeze({ maxChars: 16 * 1024 * 1024, maxMs: 5000 });

export interface ExtractedText {
  path: string;
  name: string;
  /** The true type's extension the text was read as (txt, html, docx, xlsx, pptx, hwp, hwpx, pdf, ...). */
  format: string;
  text: string;
}

export interface TextExtraction {
  texts: ExtractedText[];
  /** True when a limit left text unread. */
  truncated: boolean;
}

// The parts of OOXML, HWPX and ODF packages that hold the document's text.
const TEXT_PARTS =
  /^(?:word\/(?:document|header\d{0,4}|footer\d{0,4}|footnotes|endnotes|comments)\.xml|xl\/(?:sharedStrings|worksheets\/sheet\d{1,5}|comments\d{0,5})\.xml|ppt\/(?:slides\/slide|notesSlides\/notesSlide)\d{1,5}\.xml|Contents\/section\d{1,5}\.xml|content\.xml)$/;
// Bytes one part may inflate to (as the archive limit of a member); its text is then cut to what is wanted.
const MAX_PART_BYTES = 64 * 1024 * 1024;
const DOCUMENT_KINDS = new Set(['word', 'excel', 'powerpoint', 'hwp', 'pdf']);

/**
 * The text of one file by its true type, at most `maxChars`: OOXML / HWPX / ODF packages (text nodes of their
 * content parts), HWP 5 (body text records), PDF (best effort), plain text (UTF-8, UTF-16 with a BOM, else
 * EUC-KR) and HTML (tags removed). Undefined for types that carry no text read here (images, executables...).
 */
export function fileText(file: Pick<TextSource, 'type' | 'content'>, maxChars: number): string | undefined {
  const { type, content } = file;
  if (type.container === 'zip' && DOCUMENT_KINDS.has(type.kind)) return packageText(content, maxChars);
  if (type.ext === 'hwp') return hwpText(content, maxChars);
  if (type.kind === 'pdf') return pdfText(content, maxChars);
  if (type.kind === 'text') return plainText(content, maxChars);
  if (type.kind === 'html') return xmlText(plainText(content, maxChars));
  return undefined;
}

/**
 * The text of every file that has some, within LIMITS. The parts of a zip-packaged document (OOXML, HWPX) are
 * read through the document, not again as XML files of their own; documents inside it (an embedded workbook)
 * and every archive member are read as files.
 */
export function extractTexts(files: readonly TextSource[], limits: Partial<TextLimits> = {}): TextExtraction {
  const { maxChars, maxMs } = { ...DEFAULT_TEXT_LIMITS, ...limits };
  const deadline = Date.now() + maxMs;
  const packages = files.filter((f) => f.type.container === 'zip' && DOCUMENT_KINDS.has(f.type.kind)).map((f) => `${f.path}/`);
  const texts: ExtractedText[] = [];
  let left = maxChars;
  let truncated = false;
  for (const file of files) {
    if (!DOCUMENT_KINDS.has(file.type.kind) && packages.some((prefix) => file.path.startsWith(prefix))) continue;
    if (left <= 0 || Date.now() > deadline) {
      truncated = true;
      break;
    }
    // One character more than is left tells a file cut by the limit from one that just fits.
    const text = fileText(file, left + 1);
    if (text === undefined || text.length === 0) continue;
    if (text.length > left) truncated = true;
    texts.push({ path: file.path, name: file.name, format: file.type.ext, text: text.slice(0, left) });
    left -= Math.min(text.length, left);
  }
  return { texts, truncated };
}

function packageText(zip: Buffer, maxChars: number): string {
  const parts = readZipDirectory(zip).entries.filter((e) => TEXT_PARTS.test(e.name));
  const texts: string[] = [];
  let left = maxChars;
  for (const part of parts) {
    if (left <= 0) break;
    const text = xmlText(readZipText(zip, part, MAX_PART_BYTES)).slice(0, left);
    texts.push(text);
    left -= text.length;
  }
  return texts.join('\n');
}

const EUC_KR = new TextDecoder('euc-kr');

/** Text by its byte order mark; without one UTF-8, or EUC-KR (CP949) when it is not valid UTF-8. */
function plainText(content: Buffer, maxChars: number): string {
  const bytes = content.subarray(0, maxChars * 4);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le').slice(0, maxChars);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2)).slice(0, maxChars);
  try {
    // Streaming: a character cut at the byte bound is left out, not taken for invalid UTF-8.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true }).slice(0, maxChars);
  } catch {
    return EUC_KR.decode(bytes).slice(0, maxChars);
  }
}
