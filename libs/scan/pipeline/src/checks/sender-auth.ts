import { authenticate, authResultsValue } from '@moat/auth';
import type { StageCheck } from '../check.js';
import { chooseActions, mostSevere, outcomesOf } from '../stage1/auth-actions.js';
import { authservId } from '../stage1/authserv-id.js';
import { configuredResolver } from '../stage1/configured-resolver.js';
import { stageOneExempt } from '../stage1/exempt.js';

/**
 * SPF, DKIM, ARC and DMARC (`@moat/auth`, through the node's resolver) with the author read strictly, so
 * the DMARC verdict is about the address a mail client displays. Every result is a symbol scored by the
 * policy; the action for each outcome (tenant, recipient domain, sender-domain and country overrides) is
 * applied, and the Authentication-Results value is kept for the relayed copy.
 */
export const senderAuth: StageCheck<'data'> = {
  name: 'sender_auth',
  stage: 'data',
  enabled: (policy) => policy.stage1.settings.auth.enabled,
  async run(ctx) {
    const resolver = configuredResolver(ctx.options);
    if (!resolver || stageOneExempt(ctx)) return;
    const settings = ctx.policy.stage1.settings.auth;
    const effective = resolver.servers?.();
    // Answers an attacker on the local network (or a careless resolver) could shape decide SPF, DKIM and DMARC.
    if (effective?.source === 'system') ctx.results.add('AUTH_SYSTEM_RESOLVER', 0, `sender authentication asked the machine's resolver (${effective.servers.join(', ') || 'none'}, /etc/resolv.conf); set dns.servers`);
    const results = await authenticate(
      { raw: ctx.message.raw, clientIp: ctx.envelope.clientIp, helo: ctx.envelope.helo ?? '', mailFrom: ctx.envelope.mailFrom ?? '', receiver: ctx.options.hostname },
      resolver,
      { minKeyBits: settings.minKeyBits },
    );
    for (const symbol of results.symbols) ctx.results.add(symbol.name, settings.scores[symbol.name] ?? 0, symbol.detail);
    ctx.transaction.authenticationResults = authResultsValue(authservId(ctx.policy, ctx.options), results);

    const senderDomains = [results.author.domain, results.spf.identity === 'mailfrom' ? results.spf.domain : undefined].filter((d): d is string => !!d);
    const recipientDomains = [...new Set(ctx.envelope.rcptTo.map((rcpt) => rcpt.slice(rcpt.lastIndexOf('@') + 1).toLowerCase()))];
    const chosen = chooseActions(outcomesOf(results), { stage1: ctx.policy.stage1, recipientDomains, senderDomains, clientIp: ctx.envelope.clientIp }, results.dmarc.policy);
    const worst = mostSevere(chosen);
    if (!worst || worst.action === 'pass') return;
    ctx.results.add('AUTH_POLICY', 0, `${worst.outcome} -> ${worst.action} (${worst.source})`);
    switch (worst.action) {
      case 'block':
        ctx.results.reject({ code: 550, message: `5.7.1 message refused: sender authentication (${worst.outcome})` });
        break;
      case 'defer':
        ctx.results.tempfail({ code: 451, message: `4.7.1 sender authentication could not complete (${worst.outcome}), try again later` });
        break;
      default:
        ctx.results.setAction(worst.action);
    }
  },
};
