import type { StageCheck } from '../check.js';
import { senderIdentities } from '../outbound/identities.js';

/**
 * Who may send outbound mail, at MAIL FROM. An authenticated user must be an account designated as a sender
 * (`canSend`) and, unless the policy turns the rule off, the envelope sender must be that account or one of
 * its aliases. Without AUTH (the tenant's own servers, from `outbound.trustedNetworks`) the sender must be at
 * one of the tenant's domains, so those servers cannot relay for anybody else.
 */
export const submissionSender: StageCheck<'mail'> = {
  name: 'submission_sender',
  stage: 'mail',
  directions: ['outbound'],
  run(ctx) {
    const sender = ctx.transaction.sender;
    if (!sender?.ok) return;
    const address = sender.mailbox?.normalized ?? '';
    const identities = senderIdentities(ctx);
    if (!identities) {
      if (sender.mailbox && ctx.policy.domains.has(sender.mailbox.domain)) return;
      ctx.results.add('RELAY_SENDER_FOREIGN', 0, `<${address}> is not at one of the tenant's domains`);
      ctx.results.reject({ code: 550, message: '5.7.1 relaying denied: the sender is not at one of our domains' });
      return;
    }
    const user = ctx.envelope.authenticatedUser ?? '';
    if (!ctx.policy.outbound.accounts.get(user)?.canSend) {
      ctx.results.add('SUBMISSION_NOT_SENDER', 0, `${user} is not designated as a sender`);
      ctx.results.reject({ code: 550, message: `5.7.1 ${user} may not send mail` });
      return;
    }
    if (!ctx.policy.outbound.settings.senderMatch.envelope || identities.has(address)) return;
    ctx.results.add('SENDER_MISMATCH', 0, `MAIL FROM <${address}> is not ${user} or one of its aliases`);
    ctx.results.reject({ code: 553, message: `5.7.1 sender address <${address}> not owned by authenticated user ${user}` });
  },
};
