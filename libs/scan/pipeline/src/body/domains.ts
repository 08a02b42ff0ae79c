import { isIP } from 'node:net';
import { domainToUnicode } from 'node:url';
import { getDomain } from 'tldts';
import { asciiDomain } from '../address.js';

/**
 * The registrable domain (public suffix + one label, e.g. example.co.kr) of a host name in A-label form, or
 * undefined for IP literals, bare suffixes and invalid names. Reputation lists and lookalike checks work on
 * it: subdomains are free for a domain's owner to invent, so they say nothing on their own.
 */
export function registrableDomain(host: string): string | undefined {
  const ascii = asciiDomain(host.replace(/\.$/, ''));
  if (!ascii || isIP(ascii)) return undefined;
  return getDomain(ascii, { allowPrivateDomains: false }) ?? undefined;
}

/** The host of an http(s) URL in lower-case A-label form (WHATWG URL does the IDN mapping), or undefined. */
export function urlHost(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.hostname.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}

/** The Unicode form of an A-label domain (xn--...), which is what a reader sees. */
export function unicodeDomain(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}

/** Whether `host` is `domain` or one of its subdomains. */
export function isWithin(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** The domain of an address (`user@example.com`), in A-label form; undefined when there is none. */
export function addressDomain(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  return at < 0 ? undefined : asciiDomain(address.slice(at + 1).trim().replace(/\.$/, ''));
}
