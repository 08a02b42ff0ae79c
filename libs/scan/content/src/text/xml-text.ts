// Tags that end a paragraph, a table cell or a shared string in OOXML, ODF and HWPX: they become line breaks, so
// that two cells never read as one number; every other tag (a run, a field) joins its neighbours.
const BREAKING = /^<\/(?:[\w.-]{1,40}:)?(?:p|si|c|tc|tr|row|table-cell|h|li)>$|^<(?:[\w.-]{1,40}:)?(?:br|tab|lineBreak)\b/;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text nodes of an XML document, tags removed (breaking ones as newlines), entities decoded. */
export function xmlText(xml: string): string {
  return xml
    .replace(/<[^<>]*>/g, (tag) => (BREAKING.test(tag) ? '\n' : ''))
    .replace(/&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-z]{2,4});/g, (whole, name: string) => {
      if (name.startsWith('#x')) return codePoint(parseInt(name.slice(2), 16), whole);
      if (name.startsWith('#')) return codePoint(Number(name.slice(1)), whole);
      return ENTITIES[name] ?? whole;
    });
}

function codePoint(value: number, fallback: string): string {
  return value <= 0x10ffff ? String.fromCodePoint(value) : fallback;
}
