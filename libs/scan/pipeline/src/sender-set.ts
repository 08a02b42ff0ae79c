import { asciiDomain } from './address.js';

/**
 * A compiled sender list with the matching rules of `senderMatches` from `@moat/policy` (full address,
 * domain, or `.domain` for the domain and its subdomains), answered with a few hash lookups instead of a
 * scan of every pattern, so lists of thousands of entries cost the same per message as lists of three.
 */
export class SenderSet {
  private readonly addresses = new Set<string>();
  private readonly domains = new Set<string>();
  /** Domains whose subdomains match too (patterns written `.domain`). */
  private readonly trees = new Set<string>();
  readonly size: number;

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      const at = pattern.lastIndexOf('@');
      if (at >= 0) this.addresses.add(`${pattern.slice(0, at).toLowerCase()}@${normalDomain(pattern.slice(at + 1))}`);
      else if (pattern.startsWith('.')) this.trees.add(normalDomain(pattern.slice(1)));
      else this.domains.add(normalDomain(pattern));
    }
    this.size = patterns.length;
  }

  /** Whether a normalized address (`local@domain`, lower case, ASCII domain) matches. */
  has(address: string): boolean {
    if (this.size === 0) return false;
    if (this.addresses.has(address)) return true;
    let domain = address.slice(address.lastIndexOf('@') + 1);
    if (this.domains.has(domain)) return true;
    while (this.trees.size > 0) {
      if (this.trees.has(domain)) return true;
      const dot = domain.indexOf('.');
      if (dot < 0) return false;
      domain = domain.slice(dot + 1);
    }
    return false;
  }
}

function normalDomain(domain: string): string {
  return asciiDomain(domain) ?? domain.toLowerCase();
}
