/**
 * SPF macros (RFC 7208 section 7): syntax checks when the record is parsed, expansion when a term is used.
 */

/** A record that breaks the RFC 7208 grammar; check_host() answers permerror. */
export class SpfSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpfSyntaxError';
  }
}

export type MacroToken = { literal: string; escape?: true } | { letter: string; upper: boolean; digits?: number; reverse: boolean; delimiters: string };

/** Letters a domain-spec may use; "c", "r" and "t" only appear in explanation text (section 7.1). */
const domainLetters = new Set(['s', 'l', 'o', 'd', 'i', 'p', 'h', 'v']);
const explainLetters = new Set([...domainLetters, 'c', 'r', 't']);
const macroExpand = /^%\{([A-Za-z])(\d*)(r?)([.\-+,/_=]*)\}/i;

/**
 * Splits a macro-string into literals and macros. `explain` is the explain-string of an exp= TXT record,
 * which may also hold spaces and the c, r and t macros.
 */
export function tokenize(text: string, explain = false): MacroToken[] {
  const tokens: MacroToken[] = [];
  let literal = '';
  for (let at = 0; at < text.length; ) {
    const char = text[at];
    if (char !== '%') {
      const code = char.charCodeAt(0);
      if (!((code >= 0x21 && code <= 0x7e) || (explain && code === 0x20))) {
        throw new SpfSyntaxError(`character 0x${code.toString(16)} is not allowed in "${text}"`);
      }
      literal += char;
      at++;
      continue;
    }
    const next = text[at + 1];
    const escapes: Record<string, string> = { '%': '%', _: ' ', '-': '%20' };
    if (next !== undefined && next in escapes) {
      // "%%", "%_" and "%-" are macro-expands of their own (they may end a domain-spec).
      if (literal) tokens.push({ literal });
      literal = '';
      tokens.push({ literal: escapes[next], escape: true });
      at += 2;
      continue;
    }
    const macro = macroExpand.exec(text.slice(at));
    if (!macro) throw new SpfSyntaxError(`"%" must start a macro in "${text}"`);
    const letter = macro[1].toLowerCase();
    if (!(explain ? explainLetters : domainLetters).has(letter)) throw new SpfSyntaxError(`macro letter "${macro[1]}" is not allowed here`);
    const digits = macro[2] === '' ? undefined : Number(macro[2]);
    if (digits === 0) throw new SpfSyntaxError('a macro transformer digit must not be zero');
    if (literal) tokens.push({ literal });
    literal = '';
    tokens.push({ letter, upper: macro[1] !== letter, digits, reverse: macro[3] !== '', delimiters: macro[4] || '.' });
    at += macro[0].length;
  }
  if (literal) tokens.push({ literal });
  return tokens;
}

// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
const domainEnd = /\.(?:\d*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\.?$/;

/** domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand */
export function parseDomainSpec(text: string): MacroToken[] {
  const tokens = tokenize(text);
  const last = tokens.at(-1);
  if (!last || ('literal' in last && !last.escape && !domainEnd.test(last.literal))) {
    throw new SpfSyntaxError(`"${text}" does not end in a macro or a valid top label`);
  }
  return tokens;
}

/** What the macro letters stand for during one evaluation. */
export interface MacroValues {
  sender: string;
  localPart: string;
  senderDomain: string;
  domain: string;
  /** %{i}: dotted quad, or 32 dot-separated nibbles for IPv6 */
  ipDotted: string;
  /** %{c}: the address in its usual text form */
  ipReadable: string;
  ipVersion: 'in-addr' | 'ip6';
  helo: string;
  receiver: string;
  /** %{p}, looked up only when a record uses it */
  validatedName: () => Promise<string>;
}

// RFC 3986 unreserved characters stay, everything else is percent-encoded (section 7.3, upper-case macros).
function urlEscape(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

async function letterValue(letter: string, values: MacroValues): Promise<string> {
  switch (letter) {
    case 's':
      return values.sender;
    case 'l':
      return values.localPart;
    case 'o':
      return values.senderDomain;
    case 'd':
      return values.domain;
    case 'i':
      return values.ipDotted;
    case 'c':
      return values.ipReadable;
    case 'v':
      return values.ipVersion;
    case 'h':
      return values.helo;
    case 'r':
      return values.receiver;
    case 't':
      return String(Math.floor(Date.now() / 1000));
    default:
      return values.validatedName();
  }
}

export async function expand(tokens: MacroToken[], values: MacroValues): Promise<string> {
  const parts: string[] = [];
  for (const token of tokens) {
    if ('literal' in token) {
      parts.push(token.literal);
      continue;
    }
    const value = await letterValue(token.letter, values);
    const splitter = new RegExp(`[${token.delimiters.replace(/[-\\\]^]/g, '\\$&')}]`);
    let pieces = value.split(splitter);
    if (token.reverse) pieces = pieces.reverse();
    if (token.digits !== undefined && token.digits < pieces.length) pieces = pieces.slice(-token.digits);
    const joined = pieces.join('.');
    parts.push(token.upper ? urlEscape(joined) : joined);
  }
  return parts.join('');
}

/** Section 7.3: an expanded name over 253 octets loses labels from the left until it fits. */
export function truncateName(name: string): string {
  let result = name;
  while (Buffer.byteLength(result.replace(/\.$/, '')) > 253 && result.includes('.')) result = result.slice(result.indexOf('.') + 1);
  return result;
}
