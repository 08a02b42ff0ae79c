import { isIPv4, isIPv6 } from 'node:net';
import { reversedIp } from '../body/dns-lists.js';

// Words ISPs put in the names of dynamic and end-user addresses.
const dynamicWords = /(^|[.-])(dyn|dynamic|dhcp|pool|dsl|adsl|vdsl|xdsl|cable|ppp|pppoe|dial|dialup|dip|client|clients|customer|cust|broadband|bb|static|res|resident|residential|home|user|users|host|hosts|ip|ips|nat|wifi|wireless|mobile|cpe|fttx|ftth|catv)[0-9-]*([.-]|$)/i;

/**
 * Whether a PTR name looks generic (assigned by an ISP to an address, not chosen for a mail server):
 * it spells the address (1-2-3-4, 4.3.2.1, 001002003004, hex; IPv6 as 2001-db8--7 or its 32 nibbles), or
 * carries a dynamic-pool word next to digits. Such clients are usually infected end-user machines sending
 * directly.
 */
export function isGenericHostname(name: string, clientIp: string): boolean {
  const host = name.toLowerCase().replace(/\.$/, '');
  const firstLabels = host.split('.').slice(0, -2).join('.');
  const ip = clientIp.startsWith('::ffff:') && isIPv4(clientIp.slice(7)) ? clientIp.slice(7) : clientIp.toLowerCase();
  if (isIPv6(ip)) {
    const nibbles = reversedIp(ip).split('.').reverse().join('');
    if (host.includes(ip.replace(/:/g, '-')) || host.includes(nibbles)) return true;
  }
  if (isIPv4(ip)) {
    const octets = ip.split('.');
    const spelled = [octets.join('-'), octets.join('.'), [...octets].reverse().join('-'), [...octets].reverse().join('.'), octets.map((o) => o.padStart(3, '0')).join(''), octets.map((o) => Number(o).toString(16).padStart(2, '0')).join('')];
    if (spelled.some((form) => host.includes(form))) return true;
    if (host.includes(`${octets[2]}-${octets[3]}`) || host.includes(`${octets[3]}-${octets[2]}`)) return /\d/.test(firstLabels);
  }
  return dynamicWords.test(firstLabels) && /\d/.test(firstLabels);
}
