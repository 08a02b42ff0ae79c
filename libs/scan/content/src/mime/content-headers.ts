import libmime from 'libmime';
import { fieldsNamed, type HeaderBlock } from './header-block.js';

/** What a part's MIME headers say about it, with every ambiguity noted. */
export interface ContentHeaders {
  /** Lower-case type/subtype; `text/plain` (or `message/rfc822` in a digest) when absent. */
  type: string;
  boundary: string | undefined;
  charset: string | undefined;
  /** Lower-case transfer encoding, `7bit` when absent. */
  encoding: string;
  disposition: 'inline' | 'attachment' | '';
  /** The file name a client shows: filename=, else name=; decoded (RFC 2231, encoded words). */
  filename: string;
  /** Every distinct decoded name the headers give (name= and filename= may differ). */
  names: string[];
  /** Content-Type / -Transfer-Encoding / -Disposition given more than once. */
  duplicated: string[];
  /** The boundary parameter given more than once in one Content-Type. */
  duplicateBoundary: boolean;
}

// "boundary", spaces, an optional "*" and the spaces after it, "=": with \s*\*?\s* the spaces could be split between
// the two \s* in every way before "=" was found missing (seconds on a 64 KB value of spaces).
const BOUNDARY_PARAM = /(?:^|;)\s*boundary\s*(?:\*\s*)?=/gi;

export function readContentHeaders(block: HeaderBlock, defaultType: string): ContentHeaders {
  const typeFields = fieldsNamed(block, 'content-type');
  const encodingFields = fieldsNamed(block, 'content-transfer-encoding');
  const dispositionFields = fieldsNamed(block, 'content-disposition');
  const duplicated = [
    ['Content-Type', typeFields],
    ['Content-Transfer-Encoding', encodingFields],
    ['Content-Disposition', dispositionFields],
  ]
    .filter(([, fields]) => (fields as unknown[]).length > 1)
    .map(([name]) => name as string);

  const rawType = typeFields[0]?.value ?? '';
  const parsedType = libmime.parseHeaderValue(rawType);
  let type = parsedType.value.trim().toLowerCase();
  if (type === '') type = defaultType;
  else if (!type.includes('/')) type = type === 'text' ? 'text/plain' : `${type}/octet-stream`;

  const disposition = libmime.parseHeaderValue(dispositionFields[0]?.value ?? '');
  const dispositionValue = disposition.value.trim().toLowerCase();
  const name = decodeName(parsedType.params['name']);
  const filename = decodeName(disposition.params['filename']);
  const names = [...new Set([filename, name].filter((n) => n !== ''))];

  return {
    type,
    boundary: parsedType.params['boundary'],
    charset: parsedType.params['charset'],
    encoding: (encodingFields[0]?.value ?? '7bit').trim().toLowerCase(),
    disposition: dispositionValue === 'attachment' || dispositionValue === 'inline' ? dispositionValue : '',
    filename: filename || name,
    names,
    duplicated,
    duplicateBoundary: (rawType.match(BOUNDARY_PARAM) ?? []).length > 1,
  };
}

/** Decodes encoded words left in a parameter (RFC 2231 is already applied by parseHeaderValue). */
function decodeName(value: string | undefined): string {
  return value ? decodeWords(value).trim() : '';
}

/** RFC 2047 encoded words decoded; a value libmime cannot decode is kept as sent. */
export function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}
