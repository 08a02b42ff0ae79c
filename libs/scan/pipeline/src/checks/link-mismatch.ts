import { parse } from 'tldts';
import type { StageCheck } from '../check.js';
import { bodyView } from '../body/body-view.js';
import { splitNamedAddress } from '../body/display-name.js';
import { addressDomain, isWithin, registrableDomain, unicodeDomain, urlHost } from '../body/domains.js';
import { unwrapRedirects } from '../body/redirectors.js';

const DOMAIN = String.raw`((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63})`;
// Link text shows a site when it writes a web address: with a scheme or "www." anywhere in it, or a bare domain
// (and path) as the whole text. A name inside prose ("News.com: Top CIOs", "ASP.NET tips") is a brand, not
// an address a reader would check the link against.
const SHOWN_ADDRESS = new RegExp(String.raw`(?:https?:\/\/|(?<![\p{L}\p{N}.-])(?=www\.))` + DOMAIN, 'iu');
const WHOLE_DOMAIN = new RegExp(String.raw`^\s*` + DOMAIN + String.raw`(?:[/:?#]\S*)?\s*$`, 'u');
const MAX_TEXT = 300;

/**
 * PHISH_LINK_MISMATCH: an HTML link whose text shows one site (www.paypal.com) while its href goes to
 * another. Redirectors are followed to their target; links through mailing services' click trackers are
 * left alone, since they show the real site by design. So are links into the domain of the From address
 * itself (a newsletter's own click tracker in front of an advertiser's site, a vendor's own page about a
 * partner): they take the reader where the message says it comes from. A shown domain that is the tenant's
 * own or a protected brand is flagged even then: "paypal.com" linking into the sender's domain is the phish.
 */
export const linkMismatch: StageCheck<'data'> = {
  name: 'link_mismatch',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  content: true,
  run(ctx) {
    const { redirectors } = ctx.policy.body.settings.dnsbl;
    const { linkTrackers, linkMismatchScore } = ctx.policy.body.settings.phishing;
    const { protectedDomains } = ctx.policy.body;
    const fromHost = addressDomain(splitNamedAddress(ctx.message.headers.from).address);
    const fromDomain = fromHost ? registrableDomain(fromHost) : undefined;
    const found: string[] = [];
    for (const anchor of bodyView(ctx.message).anchors) {
      if (anchor.text.length > MAX_TEXT) continue;
      const shown = (SHOWN_ADDRESS.exec(anchor.text) ?? WHOLE_DOMAIN.exec(anchor.text))?.[1];
      const shownDomain = shown ? shownSite(shown) : undefined;
      if (!shownDomain) continue;
      const chain = unwrapRedirects(anchor.href, redirectors).map(urlHost);
      const first = chain[0];
      if (!first || linkTrackers.some((tracker) => isWithin(first, tracker))) continue;
      const targets = chain.map((host) => (host ? registrableDomain(host) : undefined));
      if (targets.includes(shownDomain)) continue;
      const shownProtected = protectedDomains.some((p) => p.domain === shownDomain);
      if (fromDomain && targets.at(-1) === fromDomain && !shownProtected) continue;
      const target = targets.at(-1) ?? chain.at(-1) ?? '';
      const line = `shows ${unicodeDomain(shownDomain)}, goes to ${unicodeDomain(target)}`;
      if (!found.includes(line)) found.push(line);
    }
    if (found.length > 0) ctx.results.add('PHISH_LINK_MISMATCH', linkMismatchScore, found.slice(0, 5).join('; '));
  },
};

/** The registrable domain of a shown address, when it ends in a real public suffix ("www.example" is not one). */
function shownSite(shown: string): string | undefined {
  const domain = registrableDomain(shown);
  return domain && parse(domain, { allowPrivateDomains: false }).isIcann ? domain : undefined;
}
