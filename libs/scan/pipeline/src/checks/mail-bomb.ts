import type { StageCheck } from '../check.js';
import { countAgainst } from '../stage1/count-against.js';
import { stageOneExempt } from '../stage1/exempt.js';

/**
 * Mail-bomb defence at RCPT: more than `maxMessages` messages to one recipient address within the window,
 * from any client and across the fleet, and further ones are refused (MAIL_BOMB).
 */
export const mailBomb: StageCheck<'rcpt'> = {
  name: 'mail_bomb',
  stage: 'rcpt',
  enabled: (policy) => policy.stage1.settings.mailBomb.enabled,
  async run(ctx) {
    const mailbox = ctx.rcpt.parsed.ok ? ctx.rcpt.parsed.mailbox : null;
    if (!mailbox || stageOneExempt(ctx)) return;
    const settings = ctx.policy.stage1.settings.mailBomb;
    const recipient = `${mailbox.localPart.toLowerCase()}@${mailbox.domain}`;
    await countAgainst(ctx, { symbol: 'MAIL_BOMB', key: `bomb ${recipient}`, subject: recipient, limit: settings.maxMessages, windowSeconds: settings.windowSeconds, action: settings.action }, 'messages to this recipient');
  },
};
