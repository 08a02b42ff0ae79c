// For unit specs of the DNS checks; not used at run time (integration suites use a real knotd).
import { DnsError, type DnsResolver } from '@moat/auth';

/** "name TYPE" -> answers, or the error code a lookup of it fails with. */
export type Zone = Record<string, string[] | 'ENOTFOUND' | 'ETIMEOUT' | 'ESERVFAIL'>;

/**
 * A resolver answering from ZONE; names it does not list do not exist (ENOTFOUND). Serves the checks'
 * own lookups (`query`) and mailauth's (`mailauth`); a TXT record is one character-string.
 */
export function zoneResolver(zone: Zone): DnsResolver {
  const lookup = async (name: string, type: string): Promise<string[] | string[][]> => {
    const answer = zone[`${name.toLowerCase().replace(/\.$/, '')} ${type.toUpperCase()}`] ?? 'ENOTFOUND';
    if (typeof answer === 'string') throw new DnsError(answer, name, type);
    return type.toUpperCase() === 'TXT' ? answer.map((text) => [text]) : answer;
  };
  const resolver = {
    query: lookup,
    mailauth: lookup,
    stats: () => ({ queries: 0, cacheHits: 0, entries: 0 }),
    clearCache: () => undefined,
  };
  // query() is generic over record types; these answers are all strings, so the stub is cast once here.
  return resolver as unknown as DnsResolver;
}
