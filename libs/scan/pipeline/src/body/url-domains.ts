import { registrableDomain, urlHost } from './domains.js';
import { unwrapRedirects } from './redirectors.js';

/**
 * Distinct registrable domains of the message's URLs in first-seen order, redirect targets included
 * right after their redirector, at most `max`.
 */
export function urlDomains(urls: readonly string[], redirectors: readonly string[], max: number): string[] {
  const domains = new Set<string>();
  for (const url of urls) {
    for (const hop of unwrapRedirects(url, redirectors)) {
      const host = urlHost(hop);
      const domain = host ? registrableDomain(host) : undefined;
      if (domain) domains.add(domain);
      if (domains.size >= max) return [...domains];
    }
  }
  return [...domains];
}
