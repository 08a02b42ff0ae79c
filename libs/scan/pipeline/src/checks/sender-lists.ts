import type { StageCheck } from '../check.js';
import type { SmtpReply } from '../types.js';

export const SENDER_BLOCKED_REPLY: SmtpReply = { code: 554, message: '5.7.1 sender address blocked by policy' };

/**
 * Global sender lists (address, domain, .domain) at MAIL FROM. An allow entry skips the sender block lists
 * only: MAIL FROM is forgeable, so it never overrides an IP block. A blocked sender is refused at once,
 * unless some domain allows the sender or the client: then each recipient's domain decides at RCPT.
 * The null sender (bounces) is on no list.
 */
export const senderLists: StageCheck<'mail'> = {
  name: 'sender_lists',
  stage: 'mail',
  enabled: (policy) => policy.hasSenderLists,
  run(ctx) {
    const sender = ctx.transaction.sender;
    if (ctx.connection.ipAllowed || !sender?.ok || !sender.mailbox) return;
    const address = sender.mailbox.normalized;
    const { lists, anyDomainAllow } = ctx.policy;
    if (lists.senderAllow.has(address)) {
      ctx.results.add('SENDER_ALLOWLIST', 0, `${address} in the global sender-allow list`);
      ctx.transaction.senderAllowed = true;
    } else if (lists.senderBlock.has(address)) {
      if (anyDomainAllow.sender.has(address) || anyDomainAllow.ip.has(ctx.envelope.clientIp)) {
        ctx.transaction.senderBlockDeferred = true;
        return;
      }
      ctx.results.add('SENDER_BLOCKLIST', 0, `${address} in the global sender-block list`);
      ctx.results.reject(SENDER_BLOCKED_REPLY);
    }
  },
};
