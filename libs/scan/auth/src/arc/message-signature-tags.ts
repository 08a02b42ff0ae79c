import { isDkimDomain, isDkimSelector } from '../dkim/grammar.js';
import { withoutFws } from '../tag-list.js';
import { requiredTags } from './required-tags.js';

/**
 * What is wrong with the ARC-Message-Signature that a validator checks (the newest one, RFC 8617 section 5.2
 * step 5), or undefined. Section 4.1.2 gives the AMS "the same syntax and semantics as the DKIM-Signature
 * field" except for the field name, v= and i= (here the instance), so RFC 6376 applies to the rest: the
 * required tags of section 3.5 and From among the signed fields (section 5.4 for the signer, section 6.1.1
 * PERMFAIL for the verifier). An AMS that covers no From binds its ARC set to no author, so a seal from a
 * trusted intermediary could be carried onto a message of anybody's. An empty name between two colons
 * ("from:to::date") selects no field and narrows nothing, so it is tolerated as the ARC suite expects.
 */
export function messageSignatureProblem(value: string): string | undefined {
  const tags = requiredTags(value, ['i', 'a', 'b', 'bh', 'd', 'h', 's']);
  if (typeof tags === 'string') return tags;
  if (!withoutFws(tags.get('h') ?? '').toLowerCase().split(':').includes('from')) return 'h= does not cover From';
  if (!isDkimDomain(tags.get('d') ?? '')) return 'd= is not a domain name';
  if (!isDkimSelector(tags.get('s') ?? '')) return 's= is not a selector';
  return undefined;
}

/** The instance (i=) of an ARC header field's tag list, or undefined when it has none that reads as one. */
export function instanceOf(value: string): number | undefined {
  const match = /(?:^|;)[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*(\d{1,2})[ \t\r\n]*(?:;|$)/.exec(value);
  return match ? Number(match[1]) : undefined;
}
