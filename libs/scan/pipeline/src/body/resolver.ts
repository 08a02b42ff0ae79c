import { createResolver, type DnsResolver } from '@moat/auth';
import type { ScanOptions } from '../types.js';

const created = new WeakMap<ScanOptions, DnsResolver>();

/**
 * The resolver reputation checks use: the node's own (shared cache), or one made once per options object
 * from `dns` (`moat scan --dns`), or on the system's servers.
 */
export function resolverFor(options: ScanOptions): DnsResolver {
  if (options.resolver) return options.resolver;
  let resolver = created.get(options);
  if (!resolver) {
    resolver = createResolver(options.dns ? { servers: [`${options.dns.host.includes(':') ? `[${options.dns.host}]` : options.dns.host}:${options.dns.port}`] } : {});
    created.set(options, resolver);
  }
  return resolver;
}
