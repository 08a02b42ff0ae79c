import { createResolver, effectiveServers, type DnsAnswers, type DnsRecordType, type DnsResolver, type EffectiveServers, type Resolver, type ResolverStats, type SecureAnswer } from '@moat/auth';
import { resolverOptions } from '@moat/pipeline';
import type { Policy } from '@moat/policy';
import type { ResolverInfo } from '@moat/proto/grpc';
import type { ActivePolicy, PolicyStore } from '../policy/policy-store.js';

/** The warning a node reports (heartbeat) and logs while sender authentication asks the machine's resolver. */
export const SYSTEM_RESOLVER_WARNING = "sender authentication runs on the machine's resolver (/etc/resolv.conf): set the policy's dns.servers to the resolvers SPF, DKIM and DMARC should trust";

/** Which servers a policy's resolver asks, and the warning when sender authentication asks the machine's. */
export function resolverInfo(policy: Policy): ResolverInfo {
  const { source, servers } = effectiveServers(policy.dns.servers);
  return { source, servers, warning: source === 'system' && policy.smtpChecks.auth.enabled ? SYSTEM_RESOLVER_WARNING : '' };
}

/**
 * The node's one resolver, configured from the policy's `dns` section (servers, per-domain routes, timeouts,
 * cache): every DNS check of every session shares its cache. A policy version that changes the DNS settings
 * replaces it (with an empty cache); other versions keep it and its cache.
 */
export class PolicyResolver implements DnsResolver {
  private inner: Resolver;
  private settings: string;
  /** What the heartbeat reports: the servers asked and the sender-authentication warning. */
  info: ResolverInfo;

  /** ONWARNING: called with the warning when a policy makes sender authentication ask the machine's resolver. */
  constructor(policies: PolicyStore, onWarning: (warning: string) => void) {
    this.settings = JSON.stringify(policies.current.policy.dns);
    this.inner = createResolver(resolverOptions(policies.current.policy.dns));
    this.info = resolverInfo(policies.current.policy);
    if (this.info.warning) onWarning(this.info.warning);
    policies.onChange((active: ActivePolicy) => {
      const info = resolverInfo(active.policy);
      if (info.warning && !this.info.warning) onWarning(info.warning);
      this.info = info;
      const next = JSON.stringify(active.policy.dns);
      if (next === this.settings) return;
      this.settings = next;
      this.inner = createResolver(resolverOptions(active.policy.dns));
    });
  }

  query<T extends DnsRecordType>(name: string, type: T): Promise<DnsAnswers[T]> {
    return this.inner.query(name, type);
  }

  secure<T extends DnsRecordType>(name: string, type: T): Promise<SecureAnswer<DnsAnswers[T]>> {
    return this.inner.secure(name, type);
  }

  readonly mailauth = (name: string, rrtype: string): Promise<string[][] | string[]> => this.inner.mailauth(name, rrtype);

  stats(): ResolverStats {
    return this.inner.stats();
  }

  clearCache(): void {
    this.inner.clearCache();
  }

  servers(): EffectiveServers {
    return { source: this.info.source === 'configured' ? 'configured' : 'system', servers: this.info.servers };
  }
}
