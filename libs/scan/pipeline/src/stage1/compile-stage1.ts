import { IpSet, type AuthActions, type DomainSmtpChecks, type Policy, type SmtpChecksPolicy } from '@moat/policy';
import { SenderSet } from '../sender-set.js';

/** An authentication override prepared for matching. */
export interface CompiledAuthOverride {
  senders?: SenderSet;
  countries?: ReadonlySet<string>;
  actions: Partial<AuthActions>;
}

/** The stage-1 section of a policy prepared once per version. */
export interface CompiledStageOne {
  settings: SmtpChecksPolicy;
  /** Clients no stage-1 check applies to (loopback by default). */
  exempt: IpSet;
  greylistExemptIps: IpSet;
  greylistExemptSenders: SenderSet;
  /** Per tenant domain overrides, by lower-case domain name. */
  domains: ReadonlyMap<string, DomainSmtpChecks>;
  senderOverrides: CompiledAuthOverride[];
  countryOverrides: CompiledAuthOverride[];
  /** Whether any tenant domain turns greylisting on for its recipients. */
  anyDomainGreylists: boolean;
}

export function compileStageOne(policy: Policy): CompiledStageOne {
  const settings = policy.smtpChecks;
  const domains = new Map<string, DomainSmtpChecks>();
  for (const domain of policy.domains) if (domain.smtpChecks) domains.set(domain.name, domain.smtpChecks);
  return {
    settings,
    exempt: new IpSet(settings.exemptNetworks),
    greylistExemptIps: new IpSet(settings.greylist.exemptIps),
    greylistExemptSenders: new SenderSet(settings.greylist.exemptSenders),
    domains,
    senderOverrides: settings.auth.senderDomains.map((o) => ({ senders: new SenderSet(o.domains), actions: o.actions })),
    countryOverrides: settings.auth.countries.map((o) => ({ countries: new Set(o.countries), actions: o.actions })),
    anyDomainGreylists: [...domains.values()].some((d) => d.greylist?.enabled === true),
  };
}
