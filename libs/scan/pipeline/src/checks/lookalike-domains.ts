import { parse } from 'tldts';
import type { StageCheck } from '../check.js';
import type { ProtectedDomain } from '../body/compile-body.js';
import { skeleton } from '../body/confusables.js';
import { splitNamedAddress } from '../body/display-name.js';
import { addressDomain, unicodeDomain } from '../body/domains.js';
import { editDistance } from '../body/edit-distance.js';
import { urlDomains } from '../body/url-domains.js';

const MAX_URL_DOMAINS = 50;

/**
 * PHISH_LOOKALIKE_DOMAIN: a sender (MAIL FROM, From, Reply-To) or link domain that imitates one of the
 * tenant's domains or a configured brand without being it: the same skeleton once homoglyphs are mapped
 * (pаypal.com with a Cyrillic а, paypa1.com, xn--... punycode), or one typo away (two for long names).
 */
export const lookalikeDomains: StageCheck<'data'> = {
  name: 'lookalike_domains',
  stage: 'data',
  content: true,
  enabled: (policy) => policy.body.protectedDomains.length > 0,
  run(ctx) {
    const { protectedDomains, settings } = ctx.policy.body;
    const candidates = new Map<string, string>();
    const add = (domain: string | undefined, where: string): void => {
      if (domain && !candidates.has(domain)) candidates.set(domain, where);
    };
    add(addressDomain(ctx.envelope.mailFrom ?? ''), 'MAIL FROM');
    add(addressDomain(splitNamedAddress(ctx.message.headers.from).address), 'From');
    add(addressDomain(splitNamedAddress(ctx.message.headers.replyTo).address), 'Reply-To');
    for (const domain of urlDomains(ctx.message.urls, settings.dnsbl.redirectors, MAX_URL_DOMAINS)) add(domain, 'link');

    const found: string[] = [];
    for (const [domain, where] of candidates) {
      const imitated = imitation(domain, protectedDomains);
      if (imitated) found.push(`${where} ${unicodeDomain(domain)} imitates ${imitated.target} (${imitated.how})`);
    }
    if (found.length > 0) ctx.results.add('PHISH_LOOKALIKE_DOMAIN', settings.phishing.lookalikeScore, found.join('; '));
  },
};

/** The protected domain `domain` imitates and how, or undefined when it is one of them or unlike all. */
function imitation(domain: string, protectedDomains: readonly ProtectedDomain[]): { target: string; how: string } | undefined {
  const parts = parse(domain, { allowPrivateDomains: false });
  if (!parts.domain || !parts.domainWithoutSuffix) return undefined;
  // Subdomains of a protected domain are its owner's.
  if (protectedDomains.some((p) => parts.domain === p.domain)) return undefined;
  const label = unicodeDomain(parts.domainWithoutSuffix);
  const labelSkeleton = skeleton(label);
  for (const p of protectedDomains) {
    const target = unicodeDomain(p.domain);
    // Same name under another suffix (paypal.de) is usually the brand's own: not judged here.
    if (label === p.label) continue;
    if (labelSkeleton === p.labelSkeleton) return { target, how: domain.includes('xn--') ? 'homoglyphs, punycode' : 'homoglyphs' };
    const limit = p.label.length >= 9 ? 2 : p.label.length >= 5 ? 1 : 0;
    if (limit > 0 && editDistance(labelSkeleton, p.labelSkeleton, limit) <= limit) return { target, how: 'spelling' };
  }
  return undefined;
}
