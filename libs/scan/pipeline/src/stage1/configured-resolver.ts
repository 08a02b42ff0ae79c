import type { DnsResolver } from '@moat/auth';
import { resolverFor } from '../body/resolver.js';
import type { ScanOptions } from '../types.js';

/**
 * The resolver for stage-1 DNS checks (reverse DNS, sender authentication), only when the pipeline was
 * given one: the node always passes its own (servers from the policy's `dns`), `moat scan` when --dns or
 * the policy names servers. A pipeline without (unit tests, content-only scans) skips those checks rather
 * than asking whatever the machine's resolver is.
 */
export function configuredResolver(options: ScanOptions): DnsResolver | undefined {
  return options.resolver || options.dns ? resolverFor(options) : undefined;
}
