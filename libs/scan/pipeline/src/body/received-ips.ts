import { isIP } from 'node:net';
import { IpSet } from '@moat/policy';
import type { HeaderField } from '@moat/content';

// RFC 6890 special-purpose blocks that are not globally reachable: block lists know nothing about them.
const NOT_PUBLIC = new IpSet([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/3',
  '::/127',
  '64:ff9b:1::/48',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
]);

/** The address in plain form (IPv4-mapped IPv6 as IPv4), or undefined when it is not globally routable. */
export function publicIp(ip: string): string | undefined {
  const plain = /^::ffff:/i.test(ip) && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return isIP(plain) !== 0 && !NOT_PUBLIC.has(plain) ? plain.toLowerCase() : undefined;
}

// The "from" part of a Received field names the sending host; its address is in brackets (RFC 5321 4.4).
const BRACKETED = /\[(?:ipv6:)?([0-9a-f:.]{2,45})\]/gi;
const BY_CLAUSE = /\sby\s/i;

/**
 * Public relay addresses from the newest `depth` Received fields, newest first, without duplicates.
 * Received fields are written by whoever relayed the message, so they can be forged; a listed relay only
 * ever adds score, and forging one only hurts the forger.
 */
export function receivedIps(headerFields: readonly HeaderField[], depth: number): string[] {
  const found: string[] = [];
  let hops = 0;
  for (const { name, value } of headerFields) {
    if (name !== 'received') continue;
    if (hops++ >= depth) break;
    const byAt = value.search(BY_CLAUSE);
    const fromPart = byAt >= 0 ? value.slice(0, byAt) : value;
    for (const match of fromPart.matchAll(BRACKETED)) {
      const ip = publicIp(match[1] ?? '');
      if (ip && !found.includes(ip)) found.push(ip);
    }
  }
  return found;
}
