import { DnsError, noRecordCodes, type DnsResolver } from '@moat/auth';
import type { LookupFunction } from 'node:net';
import { request } from 'node:https';

/** A destination's MTA-STS policy (RFC 8461 section 3.2), as fetched from `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
export interface MtaStsPolicy {
  /** The `id` of the TXT record that announced this version of the policy. */
  id: string;
  mode: 'enforce' | 'testing' | 'none';
  /** MX host patterns: a name, or `*.` and a name for any one label in front of it. */
  mx: string[];
  maxAgeSeconds: number;
  /** When the policy stops being usable without a new fetch (ms since the epoch). */
  expiresAtMs: number;
}

/** RFC 8461 section 3.2: max_age is at most one year. */
const MAX_AGE_LIMIT = 31_557_600;
/** The policy body is small; anything larger is not a policy (section 3.3 leaves the limit to the sender). */
const MAX_POLICY_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
/** Destinations whose policies are kept; the least recently used go first. */
const MAX_CACHED = 10_000;

/**
 * The `id` of the domain's `_mta-sts` TXT record (section 3.1), or undefined when there is no single valid one
 * (records that do not start with `v=STSv1` are ignored; more than one STSv1 record means none).
 */
export function stsRecordId(records: readonly string[][]): string | undefined {
  const sts = records.map((parts) => parts.join('')).filter((text) => /^v=STSv1[ \t]*;/.test(text));
  if (sts.length !== 1) return undefined;
  for (const field of sts[0]!.split(';')) {
    const [key, value] = splitOnce(field, '=');
    if (key.trim() === 'id' && /^[A-Za-z0-9]{1,32}$/.test(value.trim())) return value.trim();
  }
  return undefined;
}

/** The policy body parsed (section 3.2), or a string saying why it is not a valid policy. */
export function parseStsPolicy(body: string, id: string, nowMs: number): MtaStsPolicy | string {
  const fields = new Map<string, string>();
  const mx: string[] = [];
  for (const line of body.split('\n')) {
    const [key, value] = splitOnce(line.replace(/\r$/, ''), ':');
    const name = key.trim();
    if (name === '') continue;
    if (name === 'mx') mx.push(value.trim().toLowerCase().replace(/\.$/, ''));
    else if (!fields.has(name)) fields.set(name, value.trim());
  }
  if (fields.get('version') !== 'STSv1') return 'no "version: STSv1" line';
  const mode = fields.get('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return `mode "${mode ?? ''}" is not enforce, testing or none`;
  const maxAge = fields.get('max_age') ?? '';
  if (!/^\d{1,10}$/.test(maxAge)) return `max_age "${maxAge}" is not a number of seconds`;
  if (mode !== 'none' && mx.length === 0) return 'no mx line';
  const maxAgeSeconds = Math.min(Number(maxAge), MAX_AGE_LIMIT);
  return { id, mode, mx, maxAgeSeconds, expiresAtMs: nowMs + maxAgeSeconds * 1000 };
}

/** Whether HOST matches an `mx` PATTERN (section 4.1: a wildcard stands for exactly one leftmost label). */
export function mxMatches(pattern: string, host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!pattern.startsWith('*.')) return name === pattern;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot + 1) === pattern.slice(2);
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** Fetches the policy body of DOMAIN over HTTPS (port PORT), resolving the policy host with LOOKUP. */
export type PolicyFetcher = (domain: string, port: number, lookup: LookupFunction) => Promise<string>;

/**
 * GET `https://mta-sts.<domain>/.well-known/mta-sts.txt` (section 3.3): the certificate must verify for the
 * policy host (the system's CAs, plus `NODE_EXTRA_CA_CERTS`), no redirects, 200 with text/plain, a bounded body.
 */
export const fetchStsPolicy: PolicyFetcher = (domain, port, lookup) =>
  new Promise((resolve, reject) => {
    const host = `mta-sts.${domain}`;
    const req = request({ host, port, path: '/.well-known/mta-sts.txt', method: 'GET', servername: host, lookup, timeout: FETCH_TIMEOUT_MS, headers: { accept: 'text/plain' } }, (response) => {
      const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (response.statusCode !== 200 || type !== 'text/plain') {
        response.resume();
        reject(new Error(`${host} answered ${response.statusCode ?? '?'} ${type || 'without a content type'} (a policy is 200 text/plain)`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_POLICY_BYTES) req.destroy(new Error(`${host}'s policy is larger than ${MAX_POLICY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${host} did not answer within ${FETCH_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });

/**
 * The node's MTA-STS policies (RFC 8461 section 5): the `_mta-sts` TXT record is looked up for every route
 * (through the node's resolver and its cache), and the policy is fetched again only when the record's id changes
 * or the cached one expired. A cached policy stays in force while the record is missing or the fetch fails, as
 * section 5.1 asks, so an attacker who blocks the TXT lookup or the HTTPS fetch cannot turn TLS off.
 */
export class MtaStsPolicies {
  private readonly cache = new Map<string, MtaStsPolicy>();
  private readonly inFlight = new Map<string, Promise<MtaStsPolicy | undefined>>();

  constructor(
    private readonly resolver: Pick<DnsResolver, 'query'>,
    private readonly onProblem: (domain: string, problem: string) => void,
    private readonly fetcher: PolicyFetcher = fetchStsPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** DOMAIN's policy in force, or undefined when it has none (or none could be had). */
  policyFor(domain: string, port: number): Promise<MtaStsPolicy | undefined> {
    const key = `${domain} ${port}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.refresh(domain, port, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async refresh(domain: string, port: number, key: string): Promise<MtaStsPolicy | undefined> {
    const cached = this.cache.get(key);
    const usable = cached && cached.expiresAtMs > this.now() ? cached : undefined;
    let id: string | undefined;
    try {
      id = stsRecordId(await this.resolver.query(`_mta-sts.${domain}`, 'TXT'));
    } catch (err) {
      if (!(err instanceof DnsError && noRecordCodes.has(err.code))) this.onProblem(domain, `TXT _mta-sts.${domain}: ${(err as Error).message}`);
    }
    if (id === undefined || id === usable?.id) return usable;
    try {
      const policy = parseStsPolicy(await this.fetcher(domain, port, this.lookup), id, this.now());
      if (typeof policy === 'string') throw new Error(policy);
      this.remember(key, policy);
      return policy;
    } catch (err) {
      this.onProblem(domain, `policy of ${domain} not fetched: ${(err as Error).message}`);
      return usable;
    }
  }

  private remember(key: string, policy: MtaStsPolicy): void {
    this.cache.delete(key);
    this.cache.set(key, policy);
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
  }

  /** The policy host's address by the node's resolver (its servers and routes), as every other lookup of the node. */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolver.query(hostname, 'A').then(
      (addresses) => {
        if (options.all) callback(null, addresses.map((address) => ({ address, family: 4 })));
        else callback(null, addresses[0]!, 4);
      },
      (err: Error) => callback(Object.assign(err, { code: (err as DnsError).code ?? 'ENOTFOUND' }), '', 4),
    );
  };
}
