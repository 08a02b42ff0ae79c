import { splitNamedAddress } from '../body/display-name.js';
import { addressDomain, registrableDomain } from '../body/domains.js';
import { FREEMAIL_DOMAINS } from '../rules/lists/freemail.js';
import { ruleCheck } from '../rules/rule.js';

/** REPLYTO_FREEMAIL: Reply-To is a free-mail address other than the From address (answers go to a stranger). */
export const replyToFreemail = ruleCheck('reply_to_freemail', (ctx, add) => {
  const replyTo = splitNamedAddress(ctx.message.headers.replyTo).address;
  const from = splitNamedAddress(ctx.message.headers.from).address;
  if (!replyTo || replyTo === from) return;
  const host = addressDomain(replyTo);
  const domain = host ? registrableDomain(host) : undefined;
  if (domain && FREEMAIL_DOMAINS.includes(domain)) add('REPLYTO_FREEMAIL', `Reply-To ${replyTo}, From ${from || 'missing'}`);
});
