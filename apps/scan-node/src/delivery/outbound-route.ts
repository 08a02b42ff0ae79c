import { DnsError, noRecordCodes, type DnsResolver } from '@moat/auth';
import { isIP } from 'node:net';
import type { Downstream, OutboundPolicy } from '@moat/policy';
import { errorText } from '../log.js';
import { usableTlsa, type Tlsa } from './dane.js';
import { mxMatches, type MtaStsPolicies } from './mta-sts.js';

/** Where mail goes: a downstream, and for an MX host with DNSSEC-validated TLSA records, the records its certificate must match. */
export type DeliveryTarget = Downstream & { dane?: readonly Tlsa[] };

/** Where one recipient of an outbound message goes, or why it cannot go anywhere (now, or ever). */
export type OutboundRoute = { downstream: DeliveryTarget } | { outcome: 'bounced' | 'deferred'; response: string };

export interface RouteDeps {
  resolver: Pick<DnsResolver, 'query' | 'secure'>;
  mtaSts: Pick<MtaStsPolicies, 'policyFor'>;
}

/**
 * The route of an outbound recipient outside the tenant's domains: the smarthost of the sender's domain (or the
 * `*` entry; the null sender of a DSN uses `*`), else the recipient domain's MX with the lowest preference
 * (RFC 5321 5.1: no MX record means the domain itself; a null MX (RFC 7505) means it takes no mail).
 * TLS to an MX host, strongest rule first:
 * - DANE (RFC 7672): the MX answer and the host's TLSA records validated by DNSSEC make TLS required with a
 *   certificate matching the records (DANE wins over MTA-STS, RFC 8461 section 2);
 * - MTA-STS (RFC 8461) in `enforce` mode: only MX hosts its policy lists, TLS required with a certificate that
 *   verifies for the MX host's name;
 * - `outbound.delivery.requireTls` naming the domain: TLS required with a verified certificate;
 * - otherwise opportunistic STARTTLS.
 */
export async function outboundRoute(outbound: OutboundPolicy, deps: RouteDeps, sender: string, rcptDomain: string): Promise<OutboundRoute> {
  const senderDomain = sender.includes('@') ? sender.slice(sender.lastIndexOf('@') + 1).toLowerCase() : '';
  const { smarthosts, requireTls, mxPort, mtaSts, mtaStsPort, dane } = outbound.delivery;
  const smarthost = smarthosts.find((s) => s.senderDomain === senderDomain) ?? smarthosts.find((s) => s.senderDomain === '*');
  if (smarthost) return { downstream: { host: smarthost.host, port: smarthost.port, tls: smarthost.tls } };
  const tls = requireTls.includes(rcptDomain) ? 'required' : 'opportunistic';
  // DNSSEC status is asked for only when DANE is on (and the resolver can report it).
  const secure = dane ? deps.resolver.secure?.bind(deps.resolver) : undefined;
  let records: { exchange: string; priority: number }[];
  let mxAuthentic = false;
  try {
    if (secure) {
      const answer = await secure(rcptDomain, 'MX');
      records = answer.answer;
      mxAuthentic = answer.authentic;
    } else records = await deps.resolver.query(rcptDomain, 'MX');
  } catch (err) {
    if (!(err instanceof DnsError && noRecordCodes.has(err.code))) return { outcome: 'deferred', response: `MX lookup for ${rcptDomain} failed: ${errorText(err)}` };
    records = [];
  }
  const sorted = [...records].sort((a, b) => a.priority - b.priority).map((r) => r.exchange.replace(/\.$/, ''));
  if (sorted[0] === '') return { outcome: 'bounced', response: `556 5.1.10 ${rcptDomain} accepts no mail (null MX)` };
  const sts = mtaSts ? await deps.mtaSts.policyFor(rcptDomain, mtaStsPort) : undefined;
  const enforce = sts?.mode === 'enforce' ? sts : undefined;
  const hosts = sorted.length > 0 ? sorted : [rcptDomain];
  const allowed = enforce ? hosts.filter((host) => enforce.mx.some((pattern) => mxMatches(pattern, host))) : hosts;
  const host = allowed[0];
  if (host === undefined) return { outcome: 'deferred', response: `no MX host of ${rcptDomain} (${hosts.join(', ')}) is listed in its MTA-STS policy (mx: ${enforce?.mx.join(', ') ?? ''})` };
  // The MX host's address by the node's resolver (not the machine's), its name kept for SNI and certificate checks.
  const address = await addressOf(deps.resolver, host);
  if (address === undefined) return { outcome: 'deferred', response: `MX host ${host} of ${rcptDomain} has no address` };
  const target = { host: address, port: mxPort, tlsName: host };
  if (secure && mxAuthentic) {
    const tlsa = await daneRecords(secure, host, mxPort);
    if (typeof tlsa === 'string') return { outcome: 'deferred', response: tlsa };
    if (tlsa.length > 0) return { downstream: { ...target, tls: 'required', dane: tlsa } };
  }
  if (enforce) return { downstream: { ...target, tls: 'required' } };
  return { downstream: { ...target, tls } };
}

/** HOST's IPv4 address, else its IPv6 one; HOST itself when it is an address literal; undefined when it has none. */
async function addressOf(resolver: Pick<DnsResolver, 'query'>, host: string): Promise<string | undefined> {
  if (isIP(host)) return host;
  for (const type of ['A', 'AAAA'] as const) {
    try {
      const [address] = await resolver.query(host, type);
      if (address) return address;
    } catch (err) {
      if (!(err instanceof DnsError && noRecordCodes.has(err.code))) return undefined;
    }
  }
  return undefined;
}

/**
 * The usable TLSA records of HOST's port (RFC 7672 section 2.2), [] when it has none (or they are not validated),
 * or why delivery must wait: a lookup that failed for a host whose MX record was validated may hide records.
 */
async function daneRecords(secure: NonNullable<DnsResolver['secure']>, host: string, port: number): Promise<Tlsa[] | string> {
  try {
    const answer = await secure(`_${port}._tcp.${host}`, 'TLSA');
    return answer.authentic ? usableTlsa(answer.answer) : [];
  } catch (err) {
    if (err instanceof DnsError && noRecordCodes.has(err.code)) return [];
    return `TLSA lookup for ${host} failed: ${errorText(err)} (its MX record is signed, so mail waits rather than go without DANE)`;
  }
}
