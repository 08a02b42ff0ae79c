import type { StageCheck } from '../check.js';
import { countAgainst, RATE_KEY_WORDS } from '../stage1/count-against.js';
import { stageOneExempt } from '../stage1/exempt.js';

/**
 * Rate control at MAIL FROM, counted fleet-wide: messages per client IP, envelope sender and sender domain
 * (rules with those keys). Over a rule's limit: 450 or 550 as the rule says, symbol RATE_<NAME>.
 */
export const senderRateLimits: StageCheck<'mail'> = {
  name: 'sender_rate_limits',
  stage: 'mail',
  enabled: (policy) => policy.stage1.settings.rateLimits.some((rule) => rule.key === 'clientIp' || rule.key === 'sender' || rule.key === 'senderDomain'),
  async run(ctx) {
    if (stageOneExempt(ctx)) return;
    const sender = ctx.transaction.sender?.ok ? ctx.transaction.sender.mailbox : undefined;
    const values = {
      clientIp: ctx.envelope.clientIp,
      sender: sender ? `${sender.localPart.toLowerCase()}@${sender.domain}` : '<>',
      senderDomain: sender?.domain ?? '<>',
    };
    for (const rule of ctx.policy.stage1.settings.rateLimits) {
      if (rule.key !== 'clientIp' && rule.key !== 'sender' && rule.key !== 'senderDomain') continue;
      const value = values[rule.key];
      await countAgainst(ctx, { symbol: `RATE_${rule.name}`, key: `rate ${rule.name} ${value}`, subject: value, limit: rule.limit, windowSeconds: rule.windowSeconds, action: rule.action }, `message rate of ${RATE_KEY_WORDS[rule.key]}`);
      if (ctx.results.refused) return;
    }
  },
};
