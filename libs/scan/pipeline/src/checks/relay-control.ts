import type { RecipientState, StageCheck } from '../check.js';

// Local parts that older MTAs downstream read as a route to another host: "user%other@ours" (percent
// hack), "host!user@ours" (bang path), and quoted local parts hiding an "@".
const ROUTING_CHARACTERS = /[@%!]/;

/**
 * The node is never an open relay: a recipient is accepted only in one of the tenant's domains, named
 * plainly. Source routes, address literals and routing characters in the local part are refused even
 * when the domain is ours, since a downstream server may honour them and relay onwards. Outbound sessions
 * (an authenticated user, or one of the tenant's own servers) may name any domain, still plainly.
 */
export const relayControl: StageCheck<'rcpt'> = {
  name: 'relay_control',
  stage: 'rcpt',
  directions: ['inbound', 'outbound'],
  run(ctx) {
    const reason = whyNotOurs(ctx.rcpt, ctx.envelope.direction === 'outbound');
    if (reason === undefined) return;
    ctx.results.add('RELAY_DENIED', 0, `${ctx.rcpt.address}: ${reason}`);
    ctx.results.reject({ code: 550, message: '5.7.1 relaying denied' });
  },
};

function whyNotOurs(rcpt: RecipientState, outbound: boolean): string | undefined {
  if (!rcpt.parsed.ok || !rcpt.parsed.mailbox) return 'not a valid address';
  const mailbox = rcpt.parsed.mailbox;
  if (mailbox.sourceRoute) return 'source-routed address';
  if (mailbox.addressLiteral) return 'address literal instead of a domain';
  if (ROUTING_CHARACTERS.test(mailbox.localPart)) return 'routing characters in the local part';
  if (!rcpt.domain && !outbound) return `${mailbox.domain} is not a domain of this tenant`;
  return undefined;
}
