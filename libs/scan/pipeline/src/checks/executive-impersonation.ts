import type { StageCheck } from '../check.js';
import { comparableName, splitNamedAddress } from '../body/display-name.js';
import { addressDomain } from '../body/domains.js';

/**
 * PHISH_EXEC_IMPERSONATION: the From display name carries a configured executive's name while the
 * address is neither one of theirs nor at one of the tenant's domains (the CEO fraud pattern:
 * "Kim Minsu <ceo.office@gmail.com>").
 */
export const executiveImpersonation: StageCheck<'data'> = {
  name: 'executive_impersonation',
  stage: 'data',
  content: true,
  enabled: (policy) => policy.body.executives.length > 0,
  run(ctx) {
    const from = splitNamedAddress(ctx.message.headers.from);
    const shown = comparableName(from.name);
    if (shown === '') return;
    const domain = addressDomain(from.address);
    if (domain && ctx.policy.domains.has(domain)) return;
    for (const executive of ctx.policy.body.executives) {
      if (executive.addresses.has(from.address)) return;
      if (executive.names.some((name) => shown.includes(name))) {
        ctx.results.add('PHISH_EXEC_IMPERSONATION', ctx.policy.body.settings.phishing.impersonationScore, `display name "${from.name}" from ${from.address || 'no address'}`);
        return;
      }
    }
  },
};
