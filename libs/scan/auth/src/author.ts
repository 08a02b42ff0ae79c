import { fieldsNamed, headerFields } from './header-fields.js';
import { authSymbol, type AuthSymbol } from './symbols.js';

/**
 * The author (RFC 5322 From) as a mail client will display it, read strictly. DMARC is about this address,
 * so anything that lets two programs read a different author is a finding, and `ambiguous` keeps DMARC
 * from passing for any domain. A display name that shows an address of another domain is a finding too,
 * though not an ambiguity (the address itself is clear).
 */
export interface Author {
  /** The one author address (lower-case domain), when the From field names exactly one without ambiguity. */
  address?: string;
  domain?: string;
  ambiguous: boolean;
  findings: AuthSymbol[];
}

const encodedWord = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
const hostname = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

interface Mailbox {
  display: string;
  /** The address as written, between the angle brackets or bare. */
  address: string;
  /** Comments outside the address, (like this). */
  comments: string[];
}

export function readAuthor(raw: Buffer): Author {
  const fields = fieldsNamed(headerFields(raw), 'From');
  if (fields.length === 0) return ambiguity([finding('FROM_MISSING', 'no From header field')]);
  if (fields.length > 1) return ambiguity([finding('FROM_MULTIPLE_FIELDS', `${fields.length} From header fields`)]);
  const value = fields[0]!.value;
  if (hasControlCharacters(value)) return ambiguity([finding('FROM_UNPARSABLE', 'control characters in From')]);
  const parsed = splitMailboxes(value);
  if (typeof parsed === 'string') return ambiguity([finding('FROM_UNPARSABLE', parsed)]);
  if (parsed.length === 0) return ambiguity([finding('FROM_UNPARSABLE', 'From names no address')]);
  if (parsed.length > 1) return ambiguity([finding('FROM_MULTIPLE_ADDRESSES', `From names ${parsed.length} addresses`)]);
  return judgeMailbox(parsed[0]!);
}

function judgeMailbox(mailbox: Mailbox): Author {
  const problems: AuthSymbol[] = [];
  let written = mailbox.address;
  if (/\r?\n/.test(written)) problems.push(finding('FROM_FOLDED_ADDRESS', 'the address is folded over several lines'));
  written = written.replace(/\r?\n[ \t]*/g, '').trim();
  if (/=\?[^?]*\?[bBqQ]\?/.test(written)) problems.push(finding('FROM_ENCODED_ADDRESS', 'encoded-word inside the address'));
  if (/^@[^:]*:/.test(written)) {
    problems.push(finding('FROM_ROUTE_SYNTAX', `route syntax in ${written}`));
    written = written.slice(written.indexOf(':') + 1);
  }
  const decodedDisplay = decodeWords(mailbox.display);
  if (decodedDisplay !== mailbox.display && /@|<|>/.test(decodedDisplay)) {
    problems.push(finding('FROM_ENCODED_ADDRESS', `the encoded display name reads "${printable(decodedDisplay)}"`));
  }
  const at = written.lastIndexOf('@');
  const local = written.slice(0, at);
  const domain = written.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (at <= 0 || !hostname.test(domain) || (!local.startsWith('"') && /[\s@(),:;<>[\]\\]/.test(local))) {
    problems.push(finding('FROM_UNPARSABLE', `not an address: ${printable(written)}`));
  }
  if (problems.length > 0) return ambiguity(problems);

  const findings: AuthSymbol[] = [];
  const shown = [decodedDisplay, ...mailbox.comments].join(' ');
  // The local part is bounded (64, RFC 5321's limit): unbounded, a long display name without "@" was scanned
  // again from every character (80 KB: 9 s).
  const shownDomains = [...shown.matchAll(/[^\s<>"()@]{1,64}@([a-z0-9.-]+\.[a-z]{2,63})/gi)].map((m) => m[1]!.toLowerCase());
  const other = shownDomains.find((shownDomain) => shownDomain !== domain);
  if (other) findings.push(finding('FROM_DISPLAY_ADDRESS', `the display name shows an address at ${other}, the author is at ${domain}`));
  return { address: `${local}@${domain}`, domain, ambiguous: false, findings };
}

/**
 * Splits a From value into mailboxes (RFC 5322 section 3.4): quoted strings and comments are kept whole,
 * top-level commas separate mailboxes, a group (`name: a, b;`) contributes its members. Returns a problem
 * description when the structure does not close (an unterminated quote, comment or angle bracket).
 */
function splitMailboxes(value: string): Mailbox[] | string {
  const mailboxes: Mailbox[] = [];
  let display = '';
  let address: string | undefined;
  let bare = '';
  let comments: string[] = [];
  const flush = (): void => {
    const text = address ?? bare;
    if (text.trim() !== '' || display.trim() !== '') {
      mailboxes.push({ display: address === undefined ? '' : display.trim(), address: address ?? bare.trim(), comments });
    }
    display = '';
    address = undefined;
    bare = '';
    comments = [];
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '"') {
      const end = closingQuote(value, i);
      if (end < 0) return 'unterminated quoted string in From';
      const quoted = value.slice(i, end + 1);
      display += quoted.slice(1, -1).replace(/\\(.)/g, '$1');
      bare += quoted;
      i = end;
    } else if (c === '(') {
      const end = closingComment(value, i);
      if (end < 0) return 'unterminated comment in From';
      comments.push(value.slice(i + 1, end));
      i = end;
    } else if (c === '<') {
      const end = value.indexOf('>', i);
      if (end < 0) return 'unterminated angle bracket in From';
      if (address !== undefined) return 'two angle-bracketed addresses in one mailbox';
      address = value.slice(i + 1, end);
      i = end;
    } else if (c === ',' || c === ';') {
      flush();
    } else if (c === ':' && address === undefined && !bare.includes('@')) {
      // A group's name: its members follow.
      display = '';
      bare = '';
    } else {
      if (address === undefined) {
        display += c;
        bare += c;
      } else if (c.trim() !== '') {
        return 'text after the angle-bracketed address';
      }
    }
  }
  flush();
  return mailboxes;
}

function closingQuote(value: string, start: number): number {
  for (let i = start + 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i;
  }
  return -1;
}

function closingComment(value: string, start: number): number {
  let depth = 0;
  for (let i = start; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '(') depth++;
    else if (value[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Decodes RFC 2047 encoded-words (B and Q) the way a mail client shows them. */
function decodeWords(text: string): string {
  return text.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)/g, '$1').replace(encodedWord, (word, charset: string, encoding: string, data: string) => {
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
    try {
      return new TextDecoder(charset.split('*')[0]!.toLowerCase()).decode(bytes);
    } catch {
      return word;
    }
  });
}

/** C0 controls other than tab, CR and LF (folding), and DEL. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

const finding = (name: string, detail: string): AuthSymbol => authSymbol(name, detail);

const ambiguity = (findings: AuthSymbol[]): Author => ({ ambiguous: true, findings });
