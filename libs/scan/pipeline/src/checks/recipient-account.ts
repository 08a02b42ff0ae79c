import type { StageCheck } from '../check.js';

/**
 * When a domain lists its accounts, only those local parts are accepted (so unknown recipients are refused
 * at RCPT instead of bouncing later). "alice+tag" is alice's subaddress. Runs after the list checks, so a
 * blocked client learns nothing about which accounts exist.
 */
export const recipientAccount: StageCheck<'rcpt'> = {
  name: 'recipient_account',
  stage: 'rcpt',
  enabled: (policy) => policy.hasAccounts,
  run(ctx) {
    const { domain, parsed } = ctx.rcpt;
    if (!domain || domain.accounts.size === 0 || !parsed.ok || !parsed.mailbox) return;
    const local = parsed.mailbox.localPart.toLowerCase();
    if (domain.accounts.has(local)) return;
    const plus = local.indexOf('+');
    if (plus > 0 && domain.accounts.has(local.slice(0, plus))) return;
    ctx.results.add('RCPT_UNKNOWN', 0, `${local}@${domain.name} is not a registered account`);
    ctx.results.reject({ code: 550, message: '5.1.1 recipient address rejected: user unknown' });
  },
};
