import type { ResolverOptions } from '@moat/auth';
import type { DnsPolicy } from '@moat/policy';

/** The resolver settings of a policy's `dns` section (the node's resolver, and `moat scan` without --dns). */
export function resolverOptions(dns: DnsPolicy): ResolverOptions {
  return {
    servers: dns.servers,
    routes: dns.routes,
    timeoutMs: dns.timeoutMs,
    tries: dns.tries,
    cacheTtlSeconds: dns.cacheTtlSeconds,
    negativeTtlSeconds: dns.negativeTtlSeconds,
  };
}
