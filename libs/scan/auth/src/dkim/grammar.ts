/**
 * Names in DKIM tags (RFC 6376 section 3.5, RFC 5321 section 4.1.2):
 *   domain-name = sub-domain 1*("." sub-domain)   selector = sub-domain *("." sub-domain)
 *   sub-domain  = Let-dig [Ldh-str]
 * NUL, spaces, underscores, empty labels and anything else outside the grammar make the signature unusable:
 * such a d= or s= can name a different key or domain to different software.
 */
const subDomain = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const domainName = new RegExp(`^${subDomain}(?:\\.${subDomain})+$`);
const selector = new RegExp(`^${subDomain}(?:\\.${subDomain})*$`);

export const isDkimDomain = (value: string): boolean => domainName.test(value) && value.length <= 253;
export const isDkimSelector = (value: string): boolean => selector.test(value);

/** dkim-quoted-printable (section 2.11): =XX is an octet. */
export function decodeQuotedPrintable(value: string): string {
  return value.replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function isSameOrSubdomain(child: string, parent: string): boolean {
  const [a, b] = [child.toLowerCase().replace(/\.$/, ''), parent.toLowerCase().replace(/\.$/, '')];
  return a === b || a.endsWith(`.${b}`);
}
