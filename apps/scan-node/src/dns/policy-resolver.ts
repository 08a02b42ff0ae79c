import { createResolver, type DnsAnswers, type DnsRecordType, type DnsResolver, type ResolverStats } from '@moat/auth';
import { resolverOptions } from '@moat/pipeline';
import type { ActivePolicy, PolicyStore } from '../policy/policy-store.js';

/**
 * The node's one resolver, configured from the policy's `dns` section (servers, per-domain routes, timeouts,
 * cache): every DNS check of every session shares its cache. A policy version that changes the DNS settings
 * replaces it (with an empty cache); other versions keep it and its cache.
 */
export class PolicyResolver implements DnsResolver {
  private inner: DnsResolver;
  private settings: string;

  constructor(policies: PolicyStore) {
    this.settings = JSON.stringify(policies.current.policy.dns);
    this.inner = createResolver(resolverOptions(policies.current.policy.dns));
    policies.onChange((active: ActivePolicy) => {
      const next = JSON.stringify(active.policy.dns);
      if (next === this.settings) return;
      this.settings = next;
      this.inner = createResolver(resolverOptions(active.policy.dns));
    });
  }

  query<T extends DnsRecordType>(name: string, type: T): Promise<DnsAnswers[T]> {
    return this.inner.query(name, type);
  }

  readonly mailauth = (name: string, rrtype: string): Promise<string[][] | string[]> => this.inner.mailauth(name, rrtype);

  stats(): ResolverStats {
    return this.inner.stats();
  }

  clearCache(): void {
    this.inner.clearCache();
  }
}
