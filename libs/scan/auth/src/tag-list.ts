/**
 * The tag=value lists of DKIM-Signature, DKIM keys, ARC-Seal and ARC-Message-Signature (RFC 6376 section
 * 3.2), parsed by the grammar rather than leniently: a list that breaks it is not a signature.
 *
 *   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 *   tag-name  = ALPHA *ALNUMPUNC          ALNUMPUNC = ALPHA / DIGIT / "_"
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]    tval = 1*VALCHAR, VALCHAR = %x21-3A / %x3C-7E
 */
export class TagListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TagListError';
  }
}

const fws = /^[ \t]*(?:\r\n[ \t]+)*$/;
const tagName = /^[A-Za-z][A-Za-z0-9_]*$/;
const tagValue = /^(?:[\x21-\x3a\x3c-\x7e]+(?:(?:[ \t]|\r\n[ \t])+[\x21-\x3a\x3c-\x7e]+)*)?$/;
const trimFws = (text: string): string => text.replace(/^(?:[ \t]|\r\n[ \t])+|(?<![ \t]|\r\n)(?:[ \t]|\r\n[ \t])+$/g, '');

/** Tag names (lower case as written: names are case-sensitive) to values with the surrounding FWS removed. */
export function parseTagList(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  const specs = text.split(';');
  // One trailing ";" is allowed: it leaves an empty (or FWS-only) last spec.
  if (specs.length > 1 && fws.test(specs[specs.length - 1])) specs.pop();
  for (const spec of specs) {
    const equals = spec.indexOf('=');
    if (equals < 0) throw new TagListError(`tag-spec without "=": "${spec.trim()}"`);
    const name = trimFws(spec.slice(0, equals));
    const value = trimFws(spec.slice(equals + 1));
    if (!tagName.test(name)) throw new TagListError(`bad tag name "${name}"`);
    if (!tagValue.test(value)) throw new TagListError(`bad value for tag ${name}`);
    if (tags.has(name)) throw new TagListError(`tag ${name} appears twice`);
    tags.set(name, value);
  }
  return tags;
}

/** A value with all folding white space removed (b=, bh=, p= and the like). */
export const withoutFws = (value: string): string => value.replace(/[ \t\r\n]/g, '');
