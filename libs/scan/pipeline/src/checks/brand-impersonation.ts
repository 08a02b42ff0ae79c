import { splitNamedAddress } from '../body/display-name.js';
import { addressDomain, registrableDomain } from '../body/domains.js';
import { brandList, type Brand } from '../rules/brand-list.js';
import { ruleCheck } from '../rules/rule.js';

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * PHISH_BRAND_DISPLAY_NAME / PHISH_BRAND_SUBJECT: a listed brand's name (rules/lists/brands.ts and
 * `body.rules.brands`) in the From display name or the subject, while the From domain is none of the brand's.
 * A name counts as a whole word ("Chase" in "Chase Bank", not in "purchase").
 */
export const brandImpersonation = ruleCheck('brand_impersonation', (ctx, add) => {
  const from = splitNamedAddress(ctx.message.headers.from);
  const host = addressDomain(from.address);
  const domain = host ? registrableDomain(host) : undefined;
  const brands = brandList(ctx.policy.body.settings.rules);
  const foreign = (brand: Brand) => !domain || !brand.domains.includes(domain);
  const inName = brands.find((brand) => foreign(brand) && namesBrand(from.name, brand));
  if (inName) return add('PHISH_BRAND_DISPLAY_NAME', `"${inName.name}" in the display name, sent from ${domain ?? 'no domain'}`);
  const subject = ctx.message.headers.subject.slice(0, 500);
  const inSubject = brands.find((brand) => foreign(brand) && namesBrand(subject, brand));
  if (inSubject) add('PHISH_BRAND_SUBJECT', `"${inSubject.name}" in the subject, sent from ${domain ?? 'no domain'}`);
});

/**
 * Whether the text names the brand as a word of its own: letters or digits on neither side, except that a
 * Korean name takes its particles ("네이버에서").
 */
function namesBrand(text: string, brand: Brand): boolean {
  const lower = text.toLowerCase();
  let at = lower.indexOf(brand.comparable);
  while (at >= 0) {
    const before = lower[at - 1] ?? ' ';
    const after = lower[at + brand.comparable.length] ?? ' ';
    if (!WORD_CHAR.test(before) && (brand.korean || !WORD_CHAR.test(after))) return true;
    at = lower.indexOf(brand.comparable, at + 1);
  }
  return false;
}
