import { urlHost } from '../body/domains.js';
import { listedUnder } from '../rules/link-hosts.js';
import { FILE_SHARING, FORM_BUILDERS, FREE_HOSTING, IPFS_GATEWAYS } from '../rules/lists/link-categories.js';
import { URL_SHORTENERS } from '../rules/lists/shorteners.js';
import { messageLinks } from '../rules/message-links.js';
import { ruleCheck } from '../rules/rule.js';

const MAX_LINKS = 200;
const IPFS_PATH = /\/ipfs\/[a-z0-9]{20,}/i;
const CATEGORIES = [
  ['URL_SHORTENER', URL_SHORTENERS],
  ['URL_FREE_HOSTING', FREE_HOSTING],
  ['URL_FILE_SHARING', FILE_SHARING],
  ['URL_FORM_BUILDER', FORM_BUILDERS],
  ['URL_IPFS', IPFS_GATEWAYS],
] as const;

/**
 * Links to places phishing favours, each a symbol: URL shorteners, free hosting, file sharing, form builders
 * and IPFS (a gateway host, or an /ipfs/<cid> path on any host). Maintained lists in rules/lists/; links from
 * QR codes count.
 */
export const linkCategories = ruleCheck('link_categories', (ctx, add) => {
  const found = new Map<(typeof CATEGORIES)[number][0], Set<string>>();
  const note = (symbol: (typeof CATEGORIES)[number][0], host: string) => found.set(symbol, (found.get(symbol) ?? new Set()).add(host));
  for (const url of messageLinks(ctx.message, ctx.content).slice(0, MAX_LINKS)) {
    const host = urlHost(url);
    if (!host) continue;
    for (const [symbol, list] of CATEGORIES) if (listedUnder(host, list)) note(symbol, host);
    if (IPFS_PATH.test(url)) note('URL_IPFS', host);
  }
  for (const [symbol, hosts] of found) add(symbol, [...hosts].slice(0, 3).join(', '));
});
