import { isWithin, urlHost } from './domains.js';

const MAX_HOPS = 3;
const EMBEDDED_URL = /^https?:\/\//i;

/**
 * The URL a redirector link leads to, following nested redirectors: the first query parameter (or the
 * path after the host) that is itself an http(s) URL. Returns every URL along the way, the given one first.
 * Shorteners that keep the target on their server (bit.ly) cannot be unwrapped without fetching; their own
 * domain is what the lists judge.
 */
export function unwrapRedirects(url: string, redirectors: readonly string[]): string[] {
  const chain = [url];
  let current = url;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const host = urlHost(current);
    if (!host || !redirectors.some((r) => isWithin(host, r))) break;
    const target = embeddedTarget(current);
    if (!target || chain.includes(target)) break;
    chain.push(target);
    current = target;
  }
  return chain;
}

function embeddedTarget(url: string): string | undefined {
  const parsed = new URL(url);
  for (const value of parsed.searchParams.values()) {
    if (EMBEDDED_URL.test(value)) return value;
  }
  const path = decodedPath(parsed.pathname.slice(1));
  const start = path.search(/https?:\/\//i);
  return start >= 0 ? path.slice(start) + parsed.search : undefined;
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
