import { BlockList, isIP } from 'node:net';

/** A set of IPs and CIDR blocks (v4 and v6) with fast membership, built once per policy version. */
export class IpSet {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr!, family);
      else this.list.addSubnet(addr!, Number(bits), family);
    }
    this.size = entries.length;
  }

  has(ip: string): boolean {
    const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/**
 * Whether an address matches a sender pattern: a full address, a domain, or ".domain" for the domain
 * and its subdomains. Comparison is case-insensitive.
 */
export function senderMatches(address: string, pattern: string): boolean {
  const addr = address.toLowerCase();
  const at = addr.lastIndexOf('@');
  const domain = at >= 0 ? addr.slice(at + 1) : addr;
  if (pattern.includes('@')) return addr === pattern;
  if (pattern.startsWith('.')) return domain === pattern.slice(1) || domain.endsWith(pattern);
  return domain === pattern;
}
