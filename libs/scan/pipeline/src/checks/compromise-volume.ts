import { accountBlocked } from '@moat/bus';
import type { StageCheck } from '../check.js';
import { changeSigns, countMessage, failOpen, signCounterKey, signEnabled, tripSign, watchedAccount } from '../outbound/account-signs.js';

/**
 * Sudden volume (COMPROMISE_VOLUME): the account's messages in the last hour, counted fleet-wide at MAIL, over
 * `factor` times its usual hourly rate (an exponentially weighted baseline of its completed hours, kept in its
 * record) and over `floor`.
 */
export const compromiseVolume: StageCheck<'mail'> = {
  name: 'compromise_volume',
  stage: 'mail',
  directions: ['outbound'],
  enabled: (policy) => signEnabled(policy, 'volume'),
  run: (ctx) => {
    const watched = watchedAccount(ctx);
    if (!watched) return;
    const { fleet, address } = watched;
    const settings = ctx.policy.outbound.settings.compromise.volume;
    return failOpen(ctx, async () => {
      const signs = await changeSigns(fleet, address, (old) => countMessage(old, Date.now(), settings.baselineHours));
      if (accountBlocked(signs, Date.now())) return;
      const lastHour = await fleet.counters.hit(signCounterKey('volume', signs), 3600);
      const limit = Math.max(settings.floor, settings.factor * signs.baseline);
      if (lastHour <= limit) return;
      await tripSign(ctx, fleet, address, 'volume', `${lastHour} messages in the last hour (usual ${signs.baseline.toFixed(1)} an hour, limit ${Math.round(limit)})`);
    });
  },
};
