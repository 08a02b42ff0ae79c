import { domainToUnicode } from 'node:url';

/** URLs written in plain text: with a scheme, or starting with "www.". */
export const TEXT_URL = /\b(?:https?:\/\/|www\.)[^\s<>"'()[\]{}]+/gi;
/**
 * E-mail addresses written in text (the domain is what is read). The local part is bounded (64, RFC 5321's
 * limit): unbounded, a long run of word characters without "@" was scanned again from every character.
 */
export const TEXT_EMAIL = /[\w.+-]{1,64}@((?:[\w-]+\.)+[a-z]{2,})/gi;

// Second-level labels under which registrations happen in many country TLDs (co.kr, or.kr, com.au, ac.uk ...).
const SECOND_LEVEL = /^(?:co|com|net|org|ac|go|or|ne|re|pe|gov|edu|mil|ltd|plc|me|kg)$/;

export interface UrlParts {
  host: string;
  path: string;
  isIp: boolean;
  hasUserinfo: boolean;
}

/** Splits a URL (or "www..." reference) into host and path; null when it has no usable host. */
export function parseUrl(url: string): UrlParts | null {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/|\/\/)?([^/?#]*)([^#]*)/i.exec(url.trim());
  if (!m) return null;
  let authority = m[1];
  const at = authority.lastIndexOf('@');
  const hasUserinfo = at >= 0;
  if (hasUserinfo) authority = authority.slice(at + 1);
  let host = authority.replace(/:\d*$/, '').replace(/\.$/, '').toLowerCase();
  if (host.includes('xn--')) host = domainToUnicode(host) || host;
  if (!host.includes('.') || /[^\p{L}\p{N}.-]/u.test(host)) return null;
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || /^\d+$/.test(host);
  return { host: host.replace(/^www\d*\./, ''), path: m[2].toLowerCase(), isIp, hasUserinfo };
}

/** The registrable part of a host name, approximated without the public suffix list. */
export function registrableDomain(host: string): string {
  const labels = host.split('.');
  if (labels.length <= 2) return host;
  const n = labels[labels.length - 1].length === 2 && SECOND_LEVEL.test(labels[labels.length - 2]) ? 3 : 2;
  return labels.slice(-n).join('.');
}

/** Display name, local part and domain (lower case) of an address header ("Name <user@host>" or bare). */
export function parseAddress(value: string): { local: string; domain: string; name: string } {
  // The first "<" with a ">" after it (only the first can have one if any does), found without a regex: /<[^>]*>/
  // searched again from every "<" of a run without ">".
  const open = value.indexOf('<');
  const close = open < 0 ? -1 : value.indexOf('>', open + 1);
  const angle = close < 0 ? undefined : { index: open, inner: value.slice(open + 1, close) };
  const addr = angle ? angle.inner : (/(?<![^\s<>"])[^\s<>"]+@[^\s<>"]+/.exec(value)?.[0] ?? '');
  const at = addr.lastIndexOf('@');
  const name = angle ? value.slice(0, angle.index).replace(/["']/g, '').trim() : value.replace(addr, '').replace(/[()"']/g, '').trim();
  return {
    local: at > 0 ? addr.slice(0, at).toLowerCase() : '',
    domain: at > 0 ? addr.slice(at + 1).toLowerCase().replace(/[^a-z0-9.-]/g, '') : '',
    name,
  };
}
