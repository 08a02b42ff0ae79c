import { isDkimDomain, isDkimSelector } from '../dkim/grammar.js';
import { requiredTags } from './required-tags.js';

/**
 * The tag list of one ARC-Seal (RFC 8617 section 4.1.3), checked by the grammar of RFC 6376 section 3.2:
 * the library accepts seals with duplicated tags, bad tag names, wrongly cased names and stray semicolons.
 * Returns the reason the seal is malformed, or undefined.
 */
export function sealProblem(value: string): string | undefined {
  const tags = requiredTags(value, ['i', 'a', 'b', 'cv', 'd', 's']);
  if (typeof tags === 'string') return tags;
  if (!/^([1-9]|[1-4]\d|50)$/.test(tags.get('i') ?? '')) return `bad instance i=${tags.get('i')}`;
  if (!['none', 'pass', 'fail'].includes((tags.get('cv') ?? '').toLowerCase())) return `bad cv=${tags.get('cv')}`;
  if (!isDkimDomain(tags.get('d') ?? '')) return 'd= is not a domain name';
  if (!isDkimSelector(tags.get('s') ?? '')) return 's= is not a selector';
  return undefined;
}
