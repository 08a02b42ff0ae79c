import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

// Envelope addresses (MAIL FROM / RCPT TO paths) parsed per RFC 5321 section 4.1.2, with SMTPUTF8
// (RFC 6531) allowing UTF-8 in local parts and domains. One parser serves the syntax, relay, account and
// list checks, so they all agree on what an address means.

/** A parsed mailbox. */
export interface Mailbox {
  /** The local part as its owner sees it: quotes and backslash escapes removed. */
  localPart: string;
  /** Lower-case ASCII domain (IDNs as A-labels), or the bracketed address literal, e.g. `[192.0.2.1]`. */
  domain: string;
  /** The local part was a quoted string. */
  quoted: boolean;
  /** The path carried a source route (`@relay1,@relay2:user@domain`). */
  sourceRoute: boolean;
  /** The domain is an address literal (`user@[192.0.2.1]`). */
  addressLiteral: boolean;
  /** `localpart@domain` in lower case: the form that lists and accounts compare. */
  normalized: string;
}

/** Outcome of parsing: a mailbox, `null` for the null reverse-path `<>`, or the SMTP reply code and reason. */
export type AddressParse = { ok: true; mailbox: Mailbox | null } | { ok: false; code: 501 | 553; reason: string };

// RFC 5321 section 4.5.3.1: local part 64 octets, domain 255, path 256 including the angle brackets
// (so a whole address over 254 octets is refused before its domain could reach 255).
const MAX_LOCAL_OCTETS = 64;
const MAX_DOMAIN_OCTETS = 255;
const MAX_ADDRESS_OCTETS = 254;
const MAX_LABEL_OCTETS = 63;

const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+$/u;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\x00-\x1f\x7f]/;
const NON_ASCII = /[\u0080-\uffff]/;
// What a UTF-8 decoder puts for bytes that are not UTF-8: the node could only relay another address than the
// client sent (the replacement character's bytes), so such an address is refused.
const NOT_UTF8 = /\uFFFD/;
const IPV6_TAG = /^ipv6:/i;

/**
 * Parses an envelope address, with or without its angle brackets. `allowNull` accepts `<>` (MAIL FROM only).
 * 501 means the text is not an address; 553 means it is one but breaks a limit.
 */
export function parseEnvelopeAddress(input: string, allowNull: boolean): AddressParse {
  let text = input.length >= 2 && input.startsWith('<') && input.endsWith('>') ? input.slice(1, -1) : input;
  if (text === '') return allowNull ? { ok: true, mailbox: null } : fail(501, 'empty address');
  if (CONTROL.test(text)) return fail(501, 'control character in address');
  if (NOT_UTF8.test(text)) return fail(501, 'address is not valid UTF-8');
  if (Buffer.byteLength(text) > MAX_ADDRESS_OCTETS) return fail(553, 'address longer than 254 octets');

  let sourceRoute = false;
  if (text.startsWith('@')) {
    const colon = text.indexOf(':');
    if (colon < 0) return fail(501, 'malformed source route');
    for (const hop of text.slice(0, colon).split(',')) {
      if (!hop.startsWith('@') || asciiDomain(hop.slice(1)) === undefined) return fail(501, 'malformed source route');
    }
    sourceRoute = true;
    text = text.slice(colon + 1);
  }

  const local = text.startsWith('"') ? readQuotedLocalPart(text) : readDotStringLocalPart(text);
  if (typeof local === 'string') return fail(501, local);
  if (Buffer.byteLength(local.value) > MAX_LOCAL_OCTETS) return fail(553, 'local part longer than 64 octets');

  const rawDomain = text.slice(local.end + 1);
  let domain: string;
  let addressLiteral = false;
  if (rawDomain.startsWith('[')) {
    const literal = addressLiteralOf(rawDomain);
    if (literal === undefined) return fail(501, 'malformed address literal');
    domain = literal;
    addressLiteral = true;
  } else {
    const ascii = asciiDomain(rawDomain);
    if (ascii === undefined) return fail(501, 'malformed domain');
    domain = ascii;
  }

  const localPart = local.value;
  return {
    ok: true,
    mailbox: { localPart, domain, quoted: local.quoted, sourceRoute, addressLiteral, normalized: `${localPart.toLowerCase()}@${domain}` },
  };
}

/**
 * A domain name in lower-case ASCII (U-labels converted to A-labels), or undefined when it is not a
 * syntactically valid domain (RFC 5321 `Domain`: LDH labels, no empty label, no trailing dot).
 */
export function asciiDomain(name: string): string | undefined {
  const ascii = NON_ASCII.test(name) ? domainToASCII(name) : name.toLowerCase();
  if (ascii === '' || ascii.length > MAX_DOMAIN_OCTETS) return undefined;
  for (const label of ascii.split('.')) {
    if (label.length > MAX_LABEL_OCTETS || !ASCII_LABEL.test(label)) return undefined;
  }
  return ascii;
}

interface LocalPart {
  value: string;
  quoted: boolean;
  /** Index of the `@` that ends the local part. */
  end: number;
}

function readDotStringLocalPart(text: string): LocalPart | string {
  const at = text.lastIndexOf('@');
  if (at < 0) return 'address has no domain';
  if (at === 0) return 'empty local part';
  const value = text.slice(0, at);
  for (const atom of value.split('.')) {
    if (!ATOM.test(atom)) return 'malformed local part';
  }
  return { value, quoted: false, end: at };
}

// Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE, followed by "@".
function readQuotedLocalPart(text: string): LocalPart | string {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === undefined) return 'unterminated quoted local part';
      value += next;
      i++;
    } else if (ch === '"') {
      if (text[i + 1] !== '@') return 'quoted local part not followed by @';
      if (value === '') return 'empty local part';
      return { value, quoted: true, end: i + 1 };
    } else {
      value += ch;
    }
  }
  return 'unterminated quoted local part';
}

function addressLiteralOf(text: string): string | undefined {
  if (!text.endsWith(']')) return undefined;
  const inner = text.slice(1, -1);
  if (isIPv4(inner)) return `[${inner}]`;
  if (IPV6_TAG.test(inner) && isIPv6(inner.slice(5))) return `[ipv6:${inner.slice(5).toLowerCase()}]`;
  return undefined;
}

function fail(code: 501 | 553, reason: string): AddressParse {
  return { ok: false, code, reason };
}
