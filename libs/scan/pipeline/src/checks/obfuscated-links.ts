import { isIP } from 'node:net';
import { domainToUnicode } from 'node:url';
import { registrableDomain, urlHost } from '../body/domains.js';
import { writtenAuthority } from '../rules/link-hosts.js';
import { messageLinks } from '../rules/message-links.js';
import { ruleCheck } from '../rules/rule.js';

const MAX_LINKS = 200;
// Labels below the registrable domain from which a host reads as a disguise (paypal.com.login.secure.evil.test).
const MANY_SUBDOMAINS = 4;
// A host written as one number, in hex or octal parts: forms only a browser resolves to an IP address.
const NUMERIC_HOST = /^(?:0x[0-9a-f]{1,8}|\d{8,10}|(?:0[0-7]{1,4}\.){1,3}0?[0-7]{1,4})$/i;
const LATIN = /[a-z]/i;
const LOOKALIKE_SCRIPT = /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}]/u;

/**
 * Links that hide where they go: URL_IP_HOST (an IP address for a host, in any notation), URL_USERINFO (a
 * user part before "@": http://paypal.com@evil.test goes to evil.test), URL_PUNYCODE (a label mixing Latin
 * with a script whose letters look Latin), URL_MANY_SUBDOMAINS, URL_ENCODED_HOST (percent-escapes or a numeric
 * form in the host). Links from QR codes count.
 */
export const obfuscatedLinks = ruleCheck('obfuscated_links', (ctx, add) => {
  const found = new Map<'URL_IP_HOST' | 'URL_USERINFO' | 'URL_PUNYCODE' | 'URL_MANY_SUBDOMAINS' | 'URL_ENCODED_HOST', string>();
  // Each symbol once, with the first link that showed it.
  const note = (symbol: Parameters<typeof found.set>[0], detail: string) => void (found.has(symbol) || found.set(symbol, detail));
  for (const url of messageLinks(ctx.message, ctx.content).slice(0, MAX_LINKS)) {
    const authority = writtenAuthority(url);
    const host = urlHost(url);
    if (authority === undefined || !host) continue;
    const writtenHost = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '').toLowerCase();
    if (authority.includes('@')) note('URL_USERINFO', authority.slice(0, 80));
    if (writtenHost.includes('%') || NUMERIC_HOST.test(writtenHost)) note('URL_ENCODED_HOST', writtenHost.slice(0, 80));
    else if (isIP(host)) note('URL_IP_HOST', host);
    if (isIP(host)) continue;
    const unicode = domainToUnicode(host) || host;
    if (unicode.split('.').some((label) => LATIN.test(label) && LOOKALIKE_SCRIPT.test(label))) note('URL_PUNYCODE', `${unicode} (${host})`);
    const domain = registrableDomain(host);
    if (domain && host.split('.').length - domain.split('.').length >= MANY_SUBDOMAINS) note('URL_MANY_SUBDOMAINS', host.slice(0, 120));
  }
  for (const [symbol, detail] of found) add(symbol, detail);
});
