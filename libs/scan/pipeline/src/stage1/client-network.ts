import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a client address belongs to for greylisting, as "a.b.c.0/24" or "2001:db8:0:1::/64":
 * large senders retry from another address of the same pool.
 */
export function clientNetwork(ip: string, ipv4Prefix: number, ipv6Prefix: number): string {
  const plain = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(plain)) {
    const value = plain.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
    const masked = ipv4Prefix === 0 ? 0 : Math.floor(value / 2 ** (32 - ipv4Prefix)) * 2 ** (32 - ipv4Prefix);
    return `${[24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256).join('.')}/${ipv4Prefix}`;
  }
  if (!isIPv6(plain)) return plain;
  const bits = ipv6Bits(plain);
  const kept = bits.slice(0, ipv6Prefix).padEnd(128, '0');
  const groups = Array.from({ length: 8 }, (_, i) => parseInt(kept.slice(i * 16, i * 16 + 16), 2).toString(16));
  return `${groups.join(':')}/${ipv6Prefix}`;
}

function ipv6Bits(ip: string): string {
  const [head = '', tail] = ip.split('::');
  const parts = (text: string): string[] => (text ? text.split(':') : []);
  const groups = tail === undefined ? parts(head) : [...parts(head), ...Array<string>(8 - parts(head).length - parts(tail).length).fill('0'), ...parts(tail)];
  return groups.map((group) => parseInt(group, 16).toString(2).padStart(16, '0')).join('');
}
