import { accountBlocked } from '@moat/bus';
import type { StageCheck } from '../check.js';
import { failOpen, readSigns, signCounterKey, signEnabled, tripSign, watchedAccount } from '../outbound/account-signs.js';

/**
 * Outbound spam (COMPROMISE_SPAM_SCORE): messages of the account whose body checks (the data stage's symbols, as
 * they stand when this check runs last) scored at least `score`, counted fleet-wide; `messages` of them in an hour trip it.
 */
export const compromiseSpamScore: StageCheck<'data'> = {
  name: 'compromise_spam_score',
  stage: 'data',
  directions: ['outbound'],
  enabled: (policy) => signEnabled(policy, 'spam-score'),
  run: (ctx) => {
    const watched = watchedAccount(ctx);
    if (!watched) return;
    const { fleet, address } = watched;
    const settings = ctx.policy.outbound.settings.compromise.spamScore;
    const score = ctx.results.symbols.reduce((sum, s) => (s.stage === 'data' ? sum + s.score : sum), 0);
    if (score < settings.score) return;
    return failOpen(ctx, async () => {
      const signs = await readSigns(fleet, address);
      if (accountBlocked(signs, Date.now())) return;
      const lastHour = await fleet.counters.hit(signCounterKey('spam-score', signs), 3600);
      if (lastHour < settings.messages) return;
      await tripSign(ctx, fleet, address, 'spam-score', `${lastHour} messages scoring at least ${settings.score} in the last hour (this one ${score.toFixed(1)})`);
    });
  },
};
