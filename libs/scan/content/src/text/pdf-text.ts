import { inflateSync } from 'node:zlib';

const MAX_STREAMS = 10_000;
// Bytes the content streams of one PDF may inflate to, together.
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
// A literal string (escapes included) or a text-showing / text-positioning operator.
const TEXT_TOKEN = /\((?:[^()\\]|\\[\s\S])*\)|\b(?:TJ|Tj|T\*|Td|TD|Tm|ET)\b|'/g;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };

/**
 * Best-effort text of a PDF: the literal strings shown by the text operators of its content streams, stored or
 * Flate-compressed, at most `maxChars`. Fonts with their own encodings (hex strings through a CMap) are not
 * decoded: such text is not seen.
 */
export function pdfText(data: Buffer, maxChars: number): string {
  const source = data.toString('latin1');
  const texts: string[] = [];
  let left = maxChars;
  let from = 0;
  let inflateBudget = MAX_INFLATED_BYTES;
  for (let n = 0; n < MAX_STREAMS && left > 0; n++) {
    const start = source.indexOf('stream', from);
    if (start === -1) break;
    const bodyStart = source[start + 6] === '\r' && source[start + 7] === '\n' ? start + 8 : start + 7;
    const end = source.indexOf('endstream', bodyStart);
    if (end === -1) break;
    from = end + 9;
    if (source.slice(Math.max(start - 3, 0), start) === 'end') continue;
    const before = source.slice(Math.max(start - 2048, 0), start);
    const dictionary = before.slice(before.lastIndexOf('obj') + 1);
    const raw = data.subarray(bodyStart, end);
    let content: Buffer;
    if (/\/Filter\s*(?:\[\s*)?\/FlateDecode/.test(dictionary)) {
      try {
        content = inflateSync(raw, { maxOutputLength: inflateBudget });
      } catch {
        continue;
      }
    } else if (/\/Filter/.test(dictionary)) continue;
    else content = raw;
    inflateBudget -= content.length;
    if (inflateBudget <= 0) break;
    const text = showText(content.toString('latin1')).slice(0, left);
    if (text.trim()) texts.push(text);
    left -= text.length;
  }
  return texts.join('\n');
}

function showText(stream: string): string {
  let out = '';
  for (const token of stream.matchAll(TEXT_TOKEN)) {
    const t = token[0];
    out += t.startsWith('(') ? unescape(t.slice(1, -1)) : '\n';
  }
  return out;
}

function unescape(literal: string): string {
  return literal.replace(/\\(?:([0-7]{1,3})|([\s\S]))/g, (_, octal: string | undefined, char: string | undefined) => {
    if (octal) return String.fromCharCode(parseInt(octal, 8) & 0xff);
    return char === '\n' || char === '\r' ? '' : (ESCAPES[char!] ?? char!);
  });
}
