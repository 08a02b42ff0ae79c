import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * Country of an address (ISO 3166 alpha-2), from the RIR delegation data (NRO statistics, CC BY 4.0, via
 * the npm package @ip-location-db/geo-whois-asn-country, CC0): sorted ranges searched by bisection. IPv6 ranges are
 * kept by their upper 64 bits (delegations are never smaller than a /64). Private, loopback, link-local,
 * multicast and undelegated addresses have no country (''), whatever the registry data says of them. Loaded on
 * first use (about 550,000 ranges), once per process.
 */
export interface CountryLookup {
  /** The address's ISO 3166 alpha-2 country; '' when it has none. */
  country(ip: string): Promise<string>;
}

export class GeoCountries implements CountryLookup {
  private loading: Promise<Ranges> | undefined;

  constructor(private readonly dir = defaultDataDir()) {}

  async country(ip: string): Promise<string> {
    const address = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : (ip.split('%')[0] ?? '');
    const v4 = ipv4Number(address);
    if (v4 === undefined && !isIPv6(address)) return '';
    if (SPECIAL.check(address, v4 === undefined ? 'ipv6' : 'ipv4')) return '';
    const ranges = await (this.loading ??= load(this.dir));
    if (v4 !== undefined) return find(ranges.v4, v4);
    const v6 = ipv6High64(address);
    return v6 === undefined ? '' : find(ranges.v6, v6);
  }
}

/** Special-purpose ranges (RFC 6890): never a country. */
const SPECIAL = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3]] as const) SPECIAL.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 96], ['64:ff9b::', 96], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) SPECIAL.addSubnet(net, bits, 'ipv6');

interface RangeTable<T extends number | bigint> {
  starts: { length: number; [i: number]: T };
  ends: { [i: number]: T };
  codes: string[];
}

interface Ranges {
  v4: RangeTable<number>;
  v6: RangeTable<bigint>;
}

function defaultDataDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country/package.json'));
}

async function load(dir: string): Promise<Ranges> {
  const [v4Text, v6Text] = await Promise.all([readFile(join(dir, 'geo-whois-asn-country-ipv4-num.csv'), 'latin1'), readFile(join(dir, 'geo-whois-asn-country-ipv6-num.csv'), 'latin1')]);
  // One string per country rather than one per range (about 250 against 550,000).
  const codes = new Map<string, string>();
  const code = (text: string) => {
    const trimmed = text.trim();
    const known = codes.get(trimmed);
    if (known !== undefined) return known;
    codes.set(trimmed, trimmed);
    return trimmed;
  };
  const v4Lines = v4Text.split('\n').filter((l) => l !== '');
  const v4: RangeTable<number> = { starts: new Float64Array(v4Lines.length), ends: new Float64Array(v4Lines.length), codes: [] };
  v4Lines.forEach((line, i) => {
    const [start = '', end = '', country = ''] = line.split(',');
    v4.starts[i] = Number(start);
    v4.ends[i] = Number(end);
    v4.codes.push(code(country));
  });
  const v6Lines = v6Text.split('\n').filter((l) => l !== '');
  const v6: RangeTable<bigint> = { starts: new BigUint64Array(v6Lines.length), ends: new BigUint64Array(v6Lines.length), codes: [] };
  v6Lines.forEach((line, i) => {
    const [start = '0', end = '0', country = ''] = line.split(',');
    v6.starts[i] = BigInt(start) >> 64n;
    v6.ends[i] = BigInt(end) >> 64n;
    v6.codes.push(code(country));
  });
  return { v4, v6 };
}

/** The country of the last range starting at or before KEY, if it ends at or after it. */
function find<T extends number | bigint>(table: RangeTable<T>, key: T): string {
  let lo = 0;
  let hi = table.starts.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((table.starts[mid] as T) <= key) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at >= 0 && (table.ends[at] as T) >= key ? (table.codes[at] ?? '') : '';
}

function ipv4Number(ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** The upper 64 bits of an IPv6 address (zone id ignored), or undefined when it is not one. */
export function ipv6High64(ip: string): bigint | undefined {
  const address = ip.split('%')[0] ?? '';
  if (!isIPv6(address)) return undefined;
  const [head = '', tail] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':').flatMap((g) => (isIPv4(g) ? ipv4Groups(g) : [g])));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.slice(0, 4).reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function ipv4Groups(ip: string): string[] {
  const n = ipv4Number(ip) ?? 0;
  return [Math.floor(n / 65536).toString(16), (n % 65536).toString(16)];
}
