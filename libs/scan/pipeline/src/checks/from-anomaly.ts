import { mailboxes, splitNamedAddress } from '../body/display-name.js';
import { addressDomain, registrableDomain } from '../body/domains.js';
import { brandList } from '../rules/brand-list.js';
import { ruleCheck } from '../rules/rule.js';

// An address inside a display name: "ceo@bank.test" in "ceo@bank.test" <x@evil.test>.
const NAME_ADDRESS = /[\w.+-]{1,64}@((?:[\p{L}\p{N}-]{1,63}\.){1,8}[\p{L}]{2,63})/u;

/**
 * FROM_MULTIPLE_ADDRESSES: From lists several mailboxes (the reader sees one of them). FROM_NAME_HAS_ADDRESS:
 * the display name shows an address at another domain than the real one; FROM_NAME_PROTECTED_ADDRESS when
 * that shown domain is protected (the tenant's, `body.phishing.brands`, or a listed brand's): an outsider
 * dressing up as "ceo@bank.test".
 */
export const fromAnomaly = ruleCheck('from_anomaly', (ctx, add) => {
  const value = ctx.message.headers.from;
  const boxes = mailboxes(value);
  if (boxes.length > 1) add('FROM_MULTIPLE_ADDRESSES', `${boxes.length} mailboxes in From`);
  const from = splitNamedAddress(value);
  const shown = NAME_ADDRESS.exec(from.name.slice(0, 300));
  if (!shown) return;
  const shownDomain = registrableDomain(shown[1] ?? '');
  const realHost = addressDomain(from.address);
  const realDomain = realHost ? registrableDomain(realHost) : undefined;
  if (!shownDomain || shownDomain === realDomain) return;
  const detail = `display name shows ${shown[0]}, address is ${from.address || 'missing'}`;
  const protectedDomain =
    ctx.policy.domains.has(shownDomain) ||
    ctx.policy.body.protectedDomains.some((p) => p.domain === shownDomain) ||
    brandList(ctx.policy.body.settings.rules).some((brand) => brand.domains.includes(shownDomain));
  add(protectedDomain ? 'FROM_NAME_PROTECTED_ADDRESS' : 'FROM_NAME_HAS_ADDRESS', detail);
});
