import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Reader, type Response } from 'mmdb-lib';

// The library's record types are MaxMind's; this database's records are { country_code }, read as unknown.
let reader: Reader<Response> | undefined;

/**
 * The country (ISO 3166 alpha-2) of a client address, from the CC0 geo-whois-asn-country database installed
 * from npm (@ip-location-db; RIR delegations and WHOIS). Loaded on first use, so a policy without country
 * overrides never reads it. Undefined for private, reserved and unknown addresses.
 */
export function countryOf(ip: string): string | undefined {
  reader ??= new Reader<Response>(readFileSync(databaseFile()));
  let record: unknown;
  try {
    record = reader.get(ip);
  } catch {
    return undefined;
  }
  return typeof record === 'object' && record !== null && 'country_code' in record && typeof record.country_code === 'string' ? record.country_code.toUpperCase() : undefined;
}

function databaseFile(): string {
  const pkg = createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json');
  return join(dirname(pkg), 'geo-whois-asn-country.mmdb');
}
