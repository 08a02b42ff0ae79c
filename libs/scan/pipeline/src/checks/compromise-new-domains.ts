import { accountBlocked } from '@moat/bus';
import type { StageCheck } from '../check.js';
import { changeSigns, failOpen, signCounterKey, signEnabled, tripSign, watchedAccount } from '../outbound/account-signs.js';

/**
 * Many new recipient domains (COMPROMISE_NEW_DOMAINS): outside domains the account never sent to before (its
 * record remembers the last `remember` of them), counted fleet-wide over the last hour, above `perHour`.
 */
export const compromiseNewDomains: StageCheck<'data'> = {
  name: 'compromise_new_domains',
  stage: 'data',
  directions: ['outbound'],
  enabled: (policy) => signEnabled(policy, 'new-domains'),
  run: (ctx) => {
    const watched = watchedAccount(ctx);
    if (!watched) return;
    const { fleet, address } = watched;
    const settings = ctx.policy.outbound.settings.compromise.newDomains;
    const domains = new Set<string>();
    for (const rcpt of ctx.envelope.rcptTo) {
      const domain = rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase();
      if (domain !== '' && !ctx.policy.domains.has(domain)) domains.add(domain);
    }
    if (domains.size === 0) return;
    return failOpen(ctx, async () => {
      let fresh: string[] = [];
      const signs = await changeSigns(fleet, address, (old) => {
        const known = new Set(old.domains);
        fresh = [...domains].filter((d) => !known.has(d));
        return fresh.length === 0 ? undefined : { ...old, domains: [...old.domains, ...fresh].slice(-settings.remember) };
      });
      if (fresh.length === 0 || accountBlocked(signs, Date.now())) return;
      const lastHour = await fleet.counters.hit(signCounterKey('new-domains', signs), 3600, fresh.length);
      if (lastHour <= settings.perHour) return;
      await tripSign(ctx, fleet, address, 'new-domains', `${lastHour} new recipient domains in the last hour (limit ${settings.perHour}; now ${fresh.slice(0, 5).join(', ')}${fresh.length > 5 ? ', ...' : ''})`);
    });
  },
};
