import { compileFilterRegex, regexFlags, type BodyPolicy, type Policy, type RegexRule } from '@moat/policy';
import { parse } from 'tldts';
import { skeleton } from './confusables.js';
import { comparableName } from './display-name.js';
import { unicodeDomain } from './domains.js';

export interface CompiledRegexRule {
  rule: RegexRule;
  regex: RegExp;
  symbol: string;
  score: number;
}

/** A domain lookalikes imitate: one of the tenant's own, or a configured brand. */
export interface ProtectedDomain {
  /** Registrable domain, A-label form. */
  domain: string;
  /** The part before the public suffix, in Unicode ("paypal" of paypal.com, "acme" of acme.co.kr). */
  label: string;
  labelSkeleton: string;
}

export interface CompiledExecutive {
  /** Display names in comparable form (see comparableName). */
  names: string[];
  addresses: ReadonlySet<string>;
}

/** The body section of a policy prepared once per version. */
export interface CompiledBody {
  settings: BodyPolicy;
  regexRules: CompiledRegexRule[];
  protectedDomains: ProtectedDomain[];
  executives: CompiledExecutive[];
  /** The DNS lists switched on: a list switched off is never queried. */
  dnsLists: Pick<BodyPolicy['dnsbl'], 'ipLists' | 'urlLists' | 'senderLists'>;
  hasDnsLists: boolean;
}

export function compileBody(policy: Policy): CompiledBody {
  const settings = policy.body;
  const { ipLists, urlLists, senderLists } = settings.dnsbl;
  const dnsLists = { ipLists: ipLists.filter((l) => l.enabled), urlLists: urlLists.filter((l) => l.enabled), senderLists: senderLists.filter((l) => l.enabled) };
  const protectedNames = [...new Set([...policy.domains.map((d) => d.name), ...settings.phishing.brands])];
  return {
    settings,
    regexRules: settings.regex.rules.map(compileRule),
    protectedDomains: protectedNames.flatMap((name) => {
      const parts = parse(name, { allowPrivateDomains: false });
      if (!parts.domain || !parts.domainWithoutSuffix) return [];
      const label = unicodeDomain(parts.domainWithoutSuffix);
      return [{ domain: parts.domain, label, labelSkeleton: skeleton(label) }];
    }),
    executives: settings.phishing.executives.map((e) => ({ names: e.names.map(comparableName).filter((n) => n.length >= 2), addresses: new Set(e.addresses) })),
    dnsLists,
    hasDnsLists: dnsLists.ipLists.length + dnsLists.urlLists.length + dnsLists.senderLists.length > 0,
  };
}

function compileRule(rule: RegexRule): CompiledRegexRule {
  const block = rule.kind === 'block';
  return {
    rule,
    // RE2 (linear time); the schema refused patterns it cannot compile.
    regex: compileFilterRegex(rule.pattern, regexFlags(rule)),
    symbol: block ? `REGEX_${rule.name}` : `REGEX_ALLOW_${rule.name}`,
    score: rule.score ?? (block ? 5 : -5),
  };
}
