import { DnsError, noRecordCodes, type DnsResolver } from '@moat/auth';
import type { Downstream, OutboundPolicy } from '@moat/policy';
import { errorText } from '../log.js';

/** Where one recipient of an outbound message goes, or why it cannot go anywhere (now, or ever). */
export type OutboundRoute = { downstream: Downstream } | { outcome: 'bounced' | 'deferred'; response: string };

/**
 * The route of an outbound recipient outside the tenant's domains: the smarthost of the sender's domain (or the
 * `*` entry; the null sender of a DSN uses `*`), else the recipient domain's MX with the lowest preference
 * (RFC 5321 5.1: no MX record means the domain itself; a null MX (RFC 7505) means it takes no mail). TLS by MX
 * is opportunistic unless `outbound.delivery.requireTls` names the domain.
 */
export async function outboundRoute(outbound: OutboundPolicy, resolver: Pick<DnsResolver, 'query'>, sender: string, rcptDomain: string): Promise<OutboundRoute> {
  const senderDomain = sender.includes('@') ? sender.slice(sender.lastIndexOf('@') + 1).toLowerCase() : '';
  const { smarthosts, requireTls, mxPort } = outbound.delivery;
  const smarthost = smarthosts.find((s) => s.senderDomain === senderDomain) ?? smarthosts.find((s) => s.senderDomain === '*');
  if (smarthost) return { downstream: { host: smarthost.host, port: smarthost.port, tls: smarthost.tls } };
  const tls = requireTls.includes(rcptDomain) ? 'required' : 'opportunistic';
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolver.query(rcptDomain, 'MX');
  } catch (err) {
    if (err instanceof DnsError && noRecordCodes.has(err.code)) return { downstream: { host: rcptDomain, port: mxPort, tls } };
    return { outcome: 'deferred', response: `MX lookup for ${rcptDomain} failed: ${errorText(err)}` };
  }
  const best = [...records].sort((a, b) => a.priority - b.priority)[0];
  if (!best) return { downstream: { host: rcptDomain, port: mxPort, tls } };
  const host = best.exchange.replace(/\.$/, '');
  if (host === '') return { outcome: 'bounced', response: `556 5.1.10 ${rcptDomain} accepts no mail (null MX)` };
  return { downstream: { host, port: mxPort, tls } };
}
