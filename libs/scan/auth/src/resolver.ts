import { getServers } from 'node:dns';
import type * as packet from 'dns-packet';
import { exchange, parseServer, type DnsResponse, type DnsServer } from './dns-transport.js';

/** The answer of each record type the checks ask for, in the shape node:dns gives and mailauth expects. */
export interface DnsAnswers {
  A: string[];
  AAAA: string[];
  TXT: string[][];
  MX: { exchange: string; priority: number }[];
  PTR: string[];
  CNAME: string[];
  NS: string[];
  /** DANE records (RFC 6698); `certificate` is the association data. */
  TLSA: { usage: number; selector: number; matchingType: number; certificate: Buffer }[];
}
export type DnsRecordType = keyof DnsAnswers;

/** An answer with its DNSSEC status: `authentic` is the AD bit of a resolver the node trusts to validate. */
export interface SecureAnswer<T> {
  answer: T;
  authentic: boolean;
}
const recordTypes: ReadonlySet<string> = new Set<DnsRecordType>(['A', 'AAAA', 'TXT', 'MX', 'PTR', 'CNAME', 'NS']);

/** Whether a failure means "the name or the record does not exist" (RFC 7208 and RFC 7489 treat it as an answer). */
export const noRecordCodes: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA']);

export interface ResolverOptions {
  /** DNS servers as "host" or "host:port" ("[v6]:port"); the system's servers when empty. */
  servers?: string[];
  /**
   * Servers per domain (split horizon, e.g. internal domains answered by internal DNS): the most specific
   * matching suffix wins, names under no route go to `servers`.
   */
  routes?: Record<string, string[]>;
  /** Time to wait for one server's answer before asking the next or asking again (ms). */
  timeoutMs?: number;
  /** Rounds over the servers before the query fails (ETIMEOUT when none answered). */
  tries?: number;
  /** How long an answer is reused (s); 0 turns the cache off. */
  cacheTtlSeconds?: number;
  /** How long "no such name" / "no such record" is reused (s). */
  negativeTtlSeconds?: number;
  /** Most answers kept; the least recently used go first. */
  cacheMaxEntries?: number;
}

/** A DNS failure with the node:dns code (ENOTFOUND, ENODATA, ETIMEOUT, ESERVFAIL, ...) that mailauth reads. */
export class DnsError extends Error {
  constructor(
    readonly code: string,
    readonly hostname: string,
    readonly rrtype: string,
  ) {
    super(`DNS ${rrtype} ${hostname}: ${code}`);
    this.name = 'DnsError';
  }
}

export interface ResolverStats {
  queries: number;
  cacheHits: number;
  entries: number;
}

/** The resolver every check uses: the node's DNS servers, timeouts and cache. */
export interface DnsResolver {
  query<T extends DnsRecordType>(name: string, type: T): Promise<DnsAnswers[T]>;
  /**
   * The same lookup asking the server to validate it (DO and AD bits), for DANE: `authentic` is true only when
   * the server said it validated the answer. Meaningful only from a validating resolver on a trusted path.
   * Absent on resolvers that are not ours (test doubles): nothing is then treated as validated.
   */
  secure?<T extends DnsRecordType>(name: string, type: T): Promise<SecureAnswer<DnsAnswers[T]>>;
  /** The same lookups as the function mailauth's `resolver` option calls: `(name, rrtype) => answers`. */
  readonly mailauth: (name: string, rrtype: string) => Promise<string[][] | string[]>;
  stats(): ResolverStats;
  clearCache(): void;
  /** The servers asked when no route applies (absent on resolvers that are not ours, such as test doubles). */
  servers?(): EffectiveServers;
}

type CacheEntry = { expires: number; answer: unknown } | { expires: number; code: string };

const rcodeErrors: Record<number, string> = { 1: 'EFORMERR', 2: 'ESERVFAIL', 3: 'ENOTFOUND', 4: 'ENOTIMP', 5: 'EREFUSED' };
const maxCnameHops = 16;

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** RFC 1035 section 2.3.4: labels of 1 to 63 octets, 253 octets in all (without the root dot). */
export function isQueryableName(name: string): boolean {
  const bare = name.replace(/\.$/, '');
  return (
    bare.length > 0 &&
    Buffer.byteLength(bare) <= 253 &&
    bare.split('.').every((label) => label.length > 0 && Buffer.byteLength(label) <= 63)
  );
}

type DnsRecord = Exclude<packet.Answer, packet.OptAnswer>;
const isRecord = (answer: packet.Answer): answer is DnsRecord => answer.type !== 'OPT';

/** The records of `type` for `name`, following the CNAME chain in the answer section (RFC 1034 section 3.6.2). */
function recordsFor(all: packet.Answer[], name: string, type: DnsRecordType): DnsRecord[] {
  const answers = all.filter(isRecord);
  let owner = normalName(name);
  const ownedBy = (answer: DnsRecord, wanted: string): boolean => normalName(answer.name) === wanted;
  for (let hop = 0; hop < maxCnameHops && type !== 'CNAME'; hop++) {
    const alias = answers.find((answer) => answer.type === 'CNAME' && ownedBy(answer, owner));
    if (!alias) break;
    owner = normalName(String(alias.data));
  }
  return answers.filter((answer) => answer.type === type && ownedBy(answer, owner));
}

function shape(type: DnsRecordType, records: DnsRecord[]): unknown {
  switch (type) {
    case 'TXT':
      // Octets as Latin-1 code points, so that nothing is lost: SPF and DKIM reject non-ASCII themselves.
      return records.map((record) => {
        const data = record.data as Buffer | Buffer[] | string;
        return (Array.isArray(data) ? data : [data]).map((part) => (Buffer.isBuffer(part) ? part.toString('latin1') : part));
      });
    case 'MX':
      return records.map((record) => {
        const data = record.data as packet.MxData;
        return { exchange: data.exchange, priority: data.preference ?? 0 };
      });
    case 'TLSA':
      return records.map((record) => {
        const data = record.data as packet.TlsaData;
        return { usage: data.usage, selector: data.selector, matchingType: data.matchingType, certificate: data.certificate };
      });
    default:
      return records.map((record) => String(record.data));
  }
}

/** The servers a resolver asks when no route matches: the configured ones, or the machine's own. */
export interface EffectiveServers {
  /** `configured`: the policy's dns.servers (or --dns); `system`: none configured, the machine's (/etc/resolv.conf). */
  source: 'configured' | 'system';
  servers: string[];
}

/** What `createResolver` asks with CONFIGURED servers (none: the machine's resolvers, read at process start). */
export function effectiveServers(configured: readonly string[] | undefined): EffectiveServers {
  return configured?.length ? { source: 'configured', servers: [...configured] } : { source: 'system', servers: getServers() };
}

/** Our resolver: `secure` always there. */
export type Resolver = DnsResolver & Required<Pick<DnsResolver, 'secure'>>;

export function createResolver(options: ResolverOptions = {}): Resolver {
  const timeoutMs = options.timeoutMs ?? 2000;
  const tries = options.tries ?? 2;
  const ttlMs = (options.cacheTtlSeconds ?? 60) * 1000;
  const negativeTtlMs = (options.negativeTtlSeconds ?? 30) * 1000;
  const maxEntries = options.cacheMaxEntries ?? 10_000;

  const effective = effectiveServers(options.servers);
  const fallback = effective.servers.map(parseServer);
  // Longest suffix first, so the first match is the most specific one.
  const routes: [string, DnsServer[]][] = Object.entries(options.routes ?? {})
    .map(([suffix, servers]): [string, DnsServer[]] => [normalName(suffix), servers.map(parseServer)])
    .sort(([a], [b]) => b.length - a.length);
  const serversFor = (name: string): DnsServer[] =>
    routes.find(([suffix]) => name === suffix || name.endsWith(`.${suffix}`))?.[1] ?? fallback;

  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<unknown>>();
  let queries = 0;
  let cacheHits = 0;

  const remember = (key: string, entry: CacheEntry): void => {
    if (entry.expires <= Date.now()) return;
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
  };

  // Every server in turn, `tries` rounds; a server that fails or refuses is not the last word while another may answer.
  const ask = async (name: string, type: DnsRecordType, dnssec: boolean): Promise<SecureAnswer<unknown>> => {
    queries++;
    let failure = 'ETIMEOUT';
    for (let round = 0; round < tries; round++) {
      for (const server of serversFor(name)) {
        let response: DnsResponse | 'timeout';
        try {
          response = await exchange(server, name, type, timeoutMs, dnssec);
        } catch {
          failure = 'ECONNREFUSED';
          continue;
        }
        if (response === 'timeout') continue;
        if (response.rcode === 0) {
          const records = recordsFor(response.answers, name, type);
          if (records.length === 0) throw new DnsError('ENODATA', name, type);
          return { answer: shape(type, records), authentic: response.authentic };
        }
        failure = rcodeErrors[response.rcode] ?? 'EBADRESP';
        if (failure === 'ENOTFOUND') throw new DnsError(failure, name, type);
      }
    }
    throw new DnsError(failure, name, type);
  };

  const lookUp = async (name: string, type: DnsRecordType, dnssec: boolean, key: string): Promise<SecureAnswer<unknown>> => {
    try {
      const answer = await ask(name, type, dnssec);
      remember(key, { expires: Date.now() + ttlMs, answer });
      return answer;
    } catch (error) {
      const code = (error as DnsError).code;
      // Only "does not exist" is an answer worth keeping; timeouts and server failures are asked again.
      if (noRecordCodes.has(code)) remember(key, { expires: Date.now() + Math.min(ttlMs, negativeTtlMs), code });
      throw error;
    }
  };

  // Answers asked with DNSSEC are kept apart: the same records without the server's word on their validity are another answer.
  const resolve = async <T extends DnsRecordType>(rawName: string, type: T, dnssec: boolean): Promise<SecureAnswer<DnsAnswers[T]>> => {
    if (!isQueryableName(rawName)) throw new DnsError('EBADNAME', rawName, type);
    const name = normalName(rawName);
    const key = `${type} ${name}${dnssec ? ' +dnssec' : ''}`;
    const cached = cache.get(key);
    if (cached && cached.expires > Date.now()) {
      cacheHits++;
      if ('code' in cached) throw new DnsError(cached.code, name, type);
      return cached.answer as SecureAnswer<DnsAnswers[T]>;
    }
    let pending = inFlight.get(key);
    if (!pending) {
      pending = lookUp(name, type, dnssec, key).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    // A fresh error per caller: mailauth annotates the errors it catches.
    return (await pending.catch((error: unknown) => {
      throw error instanceof DnsError ? new DnsError(error.code, error.hostname, error.rrtype) : error;
    })) as SecureAnswer<DnsAnswers[T]>;
  };
  const query = async <T extends DnsRecordType>(name: string, type: T): Promise<DnsAnswers[T]> => (await resolve(name, type, false)).answer;

  const mailauth = async (name: string, rrtype: string): Promise<string[][] | string[]> => {
    const type = rrtype.toUpperCase();
    if (!recordTypes.has(type)) throw new DnsError('ENOTIMP', name, rrtype);
    // mailauth's declared type leaves out MX objects, which it reads all the same.
    return (await query(name, type as DnsRecordType)) as string[][] | string[];
  };

  return {
    query,
    secure: (name, type) => resolve(name, type, true),
    mailauth,
    stats: () => ({ queries, cacheHits, entries: cache.size }),
    clearCache: () => cache.clear(),
    servers: () => effective,
  };
}
