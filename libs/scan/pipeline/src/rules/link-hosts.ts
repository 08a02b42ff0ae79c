import { isWithin } from '../body/domains.js';

/** The first entry of `list` (registrable domains or hosts) that `host` is or lies under. */
export function listedUnder(host: string, list: readonly string[]): string | undefined {
  return list.find((entry) => isWithin(host, entry));
}

// The authority of an http(s) URL as written, before WHATWG URL parsing rewrites it (decimal and hex IPs,
// percent-escapes and Unicode all come out normalised): what the obfuscation rules judge.
const AUTHORITY = /^https?:\/\/([^/?#\\]*)/i;

/** The authority (userinfo@host:port) of a URL exactly as written, or undefined. */
export function writtenAuthority(url: string): string | undefined {
  return AUTHORITY.exec(url)?.[1];
}
