import type { StageCheck } from '../check.js';
import { applyBlock, failOpen, readSigns, signEnabled, watchedAccount } from '../outbound/account-signs.js';

/**
 * A compromised-account sign's state at MAIL: mail of an account a sign throttled gets 451 4.7.1 on every node
 * until the throttle ends (COMPROMISE_THROTTLED), mail of a held account is held for approval (COMPROMISE_HELD).
 */
export const compromiseAccountState: StageCheck<'mail'> = {
  name: 'compromise_account_state',
  stage: 'mail',
  directions: ['outbound'],
  enabled: (policy) => signEnabled(policy),
  run: (ctx) => {
    const watched = watchedAccount(ctx);
    if (!watched) return;
    return failOpen(ctx, async () => applyBlock(ctx, await readSigns(watched.fleet, watched.address), Date.now()));
  },
};
