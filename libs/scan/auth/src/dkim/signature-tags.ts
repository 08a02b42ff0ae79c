import { withoutFws } from '../tag-list.js';
import { decodeQuotedPrintable, isDkimDomain, isDkimSelector, isSameOrSubdomain } from './grammar.js';

/** What a usable DKIM-Signature says, after the checks of RFC 6376 sections 3.5 and 6.1.1. */
export interface SignatureTags {
  domain: string;
  selector: string;
  /** i=, decoded; "@" + d= when absent */
  identity: string;
  algorithm: 'rsa-sha1' | 'rsa-sha256' | 'ed25519-sha256';
}

const algorithms = new Set(['rsa-sha1', 'rsa-sha256', 'ed25519-sha256']);
const canonicalizations = /^(simple|relaxed)(\/(simple|relaxed))?$/;
// "dns/txt" is the only query method (section 3.5); "dns" is its name in the drafts before RFC 4871.
const knownQueryMethods = new Set(['dns/txt', 'dns']);

/**
 * Signatures of the drafts before RFC 4871 carry no v= or v=0.5. RFC 6376 section 6.1.1 makes them PERMFAIL;
 * `acceptDrafts` verifies them anyway (the Mail::DKIM corpus expects that of its pre-RFC samples).
 */
function versionProblem(tags: Map<string, string>, acceptDrafts: boolean): string | undefined {
  const version = tags.get('v');
  if (version === '1') return undefined;
  if (acceptDrafts && (version === undefined || version === '0.5')) return undefined;
  return version === undefined ? 'missing v= tag' : `unsupported version v=${version}`;
}

/** The signature's tags, or the reason the signature must be ignored (PERMFAIL). */
export function checkSignatureTags(tags: Map<string, string>, nowSeconds: number, acceptDrafts = false): SignatureTags | string {
  const version = versionProblem(tags, acceptDrafts);
  if (version) return version;
  for (const required of ['a', 'b', 'bh', 'd', 'h', 's']) {
    if (!tags.has(required)) return `missing ${required}= tag`;
  }
  const get = (tag: string): string => tags.get(tag) ?? '';
  const algorithm = get('a').toLowerCase();
  if (!algorithms.has(algorithm)) return `unsupported algorithm a=${get('a')}`;
  if (tags.has('c') && !canonicalizations.test(get('c').toLowerCase())) return `unsupported canonicalization c=${get('c')}`;
  const domain = get('d');
  if (!isDkimDomain(domain)) return 'd= is not a domain name';
  if (!isDkimSelector(get('s'))) return 's= is not a selector';
  const signed = withoutFws(get('h')).toLowerCase().split(':');
  if (!signed.includes('from')) return 'h= does not cover From';
  if (tags.has('q') && !withoutFws(get('q')).split(':').some((method) => knownQueryMethods.has(method.toLowerCase()))) {
    return `no supported query method in q=${get('q')}`;
  }
  const identity = tags.has('i') ? decodeQuotedPrintable(withoutFws(get('i'))) : `@${domain}`;
  const at = identity.lastIndexOf('@');
  if (at < 0 || !isSameOrSubdomain(identity.slice(at + 1), domain)) return `i=${identity} is not within d=${domain}`;
  if (tags.has('x')) {
    const expires = Number(get('x'));
    if (!/^\d+$/.test(get('x'))) return 'bad x= value';
    if (tags.has('t') && expires < Number(get('t'))) return 'x= is before t=';
    if (expires < nowSeconds) return 'signature expired';
  }
  return { domain, selector: get('s'), identity, algorithm: algorithm as SignatureTags['algorithm'] };
}
