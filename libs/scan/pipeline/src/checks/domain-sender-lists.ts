import type { StageCheck } from '../check.js';
import { SENDER_BLOCKED_REPLY } from './sender-lists.js';

/**
 * The recipient's domain's sender lists at RCPT; the domain's allow list (sender or IP) also overrides a
 * global sender block (put off to here by sender-lists). A refusal applies to this recipient only.
 */
export const domainSenderLists: StageCheck<'rcpt'> = {
  name: 'domain_sender_lists',
  stage: 'rcpt',
  enabled: (policy) => policy.hasSenderLists,
  run(ctx) {
    const { rcpt, transaction } = ctx;
    const domain = rcpt.domain;
    const sender = transaction.sender;
    if (!domain || ctx.connection.ipAllowed || transaction.senderAllowed || rcpt.listAllowed) return;
    if (!sender?.ok || !sender.mailbox) return;
    const address = sender.mailbox.normalized;
    if (domain.lists.senderAllow.has(address)) {
      ctx.results.add('SENDER_ALLOWLIST', 0, `${address} in the ${domain.name} sender-allow list`);
      rcpt.listAllowed = true;
    } else if (domain.lists.senderBlock.has(address) || transaction.senderBlockDeferred) {
      const list = transaction.senderBlockDeferred ? 'global' : domain.name;
      ctx.results.add('SENDER_BLOCKLIST', 0, `${address} in the ${list} sender-block list`);
      ctx.results.reject(SENDER_BLOCKED_REPLY);
    }
  },
};
