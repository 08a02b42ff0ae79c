import { isIPv4, isIPv6 } from 'node:net';

/** An address as a number of 32 (IPv4) or 128 (IPv6) bits, for CIDR comparisons. */
export interface Address {
  family: 4 | 6;
  bits: bigint;
}

function ipv4Bits(text: string): bigint {
  return text.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(Number(octet)), 0n);
}

/** The eight 16-bit groups of an IPv6 address as written (case kept), "::" and a dotted IPv4 tail expanded. */
export function ipv6Groups(text: string): string[] {
  let body = text;
  const dotted = /(?<!\d)(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (dotted) {
    const v4 = Number(ipv4Bits(dotted[1]));
    body = `${body.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = body.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.padStart(4, '0'));
}

export function parseAddress(text: string): Address | undefined {
  if (isIPv4(text)) return { family: 4, bits: ipv4Bits(text) };
  if (!isIPv6(text)) return undefined;
  const bits = ipv6Groups(text).reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
  // RFC 7208 section 5: an IPv4-mapped IPv6 client (::ffff:0:0/96) is an IPv4 client.
  if (bits >> 32n === 0xffffn) return { family: 4, bits: bits & 0xffffffffn };
  return { family: 6, bits };
}

export function inNetwork(address: Address, network: Address, prefix: number): boolean {
  if (address.family !== network.family) return false;
  const width = address.family === 4 ? 32n : 128n;
  const shift = width - BigInt(prefix);
  return address.bits >> shift === network.bits >> shift;
}

/** The textual form of an address: dotted quad, or RFC 5952 lower-case compressed IPv6. */
export function formatAddress(address: Address): string {
  if (address.family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((address.bits >> shift) & 0xffn)).join('.');
  const groups = [...Array(8).keys()].map((index) => ((address.bits >> BigInt(112 - index * 16)) & 0xffffn).toString(16));
  // Longest run of two or more zero groups becomes "::".
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === '0') length++;
    if (length > best.length && length > 1) best = { start, length };
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** The name under in-addr.arpa / ip6.arpa that holds the PTR records of an address. */
export function reverseName(address: Address): string {
  if (address.family === 4) return `${formatAddress(address).split('.').reverse().join('.')}.in-addr.arpa`;
  return `${address.bits.toString(16).padStart(32, '0').split('').reverse().join('.')}.ip6.arpa`;
}
