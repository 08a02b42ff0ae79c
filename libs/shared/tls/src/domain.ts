/** A host name label: letters, digits and inner hyphens, 1 to 63 characters. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * DOMAIN in lower case if it is a DNS name a certificate can be kept for (two labels or more, or a wildcard
 * `*.` before them), else undefined.
 */
export function certificateDomain(domain: string): string | undefined {
  const name = domain.trim().toLowerCase();
  if (name.length === 0 || name.length > 253) return undefined;
  const labels = name.split('.');
  const first = labels[0] === '*' ? 1 : 0;
  if (labels.length - first < 2) return undefined;
  return labels.slice(first).every((label) => LABEL.test(label)) ? name : undefined;
}
