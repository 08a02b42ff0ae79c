import type { StageCheck } from '../check.js';
import { clientNetwork } from '../stage1/client-network.js';
import { failureText, stageOneExempt } from '../stage1/exempt.js';
import { greylist as decide } from '../stage1/greylist-records.js';

const DEFER = { code: 451, message: '4.7.1 greylisted, please try again later' };

/**
 * Greylisting at RCPT, fleet-wide (see stage1/greylist-records.ts). On for the tenant or per recipient
 * domain. Exempt: the section's exempt networks, authenticated clients, allow-listed clients and senders,
 * and the greylist's own exempt IPs and senders. Without reachable fleet state the recipient passes
 * (GREYLIST_UNAVAILABLE): a greylist outage must not stop mail.
 */
export const greylist: StageCheck<'rcpt'> = {
  name: 'greylist',
  stage: 'rcpt',
  enabled: (policy) => policy.stage1.settings.greylist.enabled || policy.stage1.anyDomainGreylists,
  async run(ctx) {
    const stage1 = ctx.policy.stage1;
    const settings = stage1.settings.greylist;
    const override = ctx.rcpt.domain ? stage1.domains.get(ctx.rcpt.domain.name)?.greylist : undefined;
    if (!(override?.enabled ?? settings.enabled)) return;
    const sender = ctx.transaction.sender?.ok ? ctx.transaction.sender.mailbox : undefined;
    const senderAddress = sender ? `${sender.localPart.toLowerCase()}@${sender.domain}` : '<>';
    if (stageOneExempt(ctx) || ctx.envelope.authenticatedUser || ctx.connection.ipAllowed || ctx.transaction.senderAllowed) return;
    if (stage1.greylistExemptIps.has(ctx.envelope.clientIp) || (sender && stage1.greylistExemptSenders.has(senderAddress))) return;
    const fleet = ctx.options.fleetState;
    if (!fleet) return;
    try {
      const decision = await decide(fleet.greylist, {
        network: clientNetwork(ctx.envelope.clientIp, settings.ipv4Prefix, settings.ipv6Prefix),
        sender: senderAddress,
        senderDomain: sender?.domain ?? '<>',
        recipient: ctx.rcpt.address.toLowerCase(),
        delaySeconds: override?.delaySeconds ?? settings.delaySeconds,
        retryWindowSeconds: settings.retryWindowSeconds,
        autoAllowSeconds: settings.autoAllowSeconds,
        nowMs: Date.now(),
      });
      if (decision.pass) {
        ctx.results.add(decision.symbol, 0, decision.detail);
        return;
      }
      ctx.results.add('GREYLIST_DEFER', 0, decision.detail);
      ctx.results.tempfail(DEFER);
    } catch (error) {
      ctx.results.add('GREYLIST_UNAVAILABLE', 0, failureText(error));
    }
  },
};
