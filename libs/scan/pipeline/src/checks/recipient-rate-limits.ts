import type { StageCheck } from '../check.js';
import { countAgainst, RATE_KEY_WORDS } from '../stage1/count-against.js';
import { stageOneExempt } from '../stage1/exempt.js';

/**
 * Rate control at RCPT, counted fleet-wide: recipients per recipient domain or address (rules with those
 * keys). Over a rule's limit this recipient is refused (450 or 550), symbol RATE_<NAME>.
 */
export const recipientRateLimits: StageCheck<'rcpt'> = {
  name: 'recipient_rate_limits',
  stage: 'rcpt',
  enabled: (policy) => policy.stage1.settings.rateLimits.some((rule) => rule.key === 'recipientDomain' || rule.key === 'recipient'),
  async run(ctx) {
    const mailbox = ctx.rcpt.parsed.ok ? ctx.rcpt.parsed.mailbox : null;
    if (!mailbox || stageOneExempt(ctx)) return;
    const values = { recipientDomain: mailbox.domain, recipient: `${mailbox.localPart.toLowerCase()}@${mailbox.domain}` };
    for (const rule of ctx.policy.stage1.settings.rateLimits) {
      if (rule.key !== 'recipientDomain' && rule.key !== 'recipient') continue;
      const value = values[rule.key];
      await countAgainst(ctx, { symbol: `RATE_${rule.name}`, key: `rate ${rule.name} ${value}`, subject: value, limit: rule.limit, windowSeconds: rule.windowSeconds, action: rule.action }, `message rate of ${RATE_KEY_WORDS[rule.key]}`);
      if (ctx.results.refused) return;
    }
  },
};
