// A tag ends at the next "<" as well as at ">" (XML allows no "<" inside one), so a tag that never closes is read
// up to the next tag only: with [^>]* each "<w:instrText" read on to the end of the part (seconds on 250 KB).
const INSTR_TEXT = /<w:instrText\b[^<>]*>([^<]*)<\/w:instrText>/g;

/**
 * The field instructions of WordprocessingML (OOXML parts, Word 2003 XML, flat OPC): `w:instrText` runs
 * joined (a field code is often split across runs) and `w:fldSimple w:instr` attributes.
 */
export function wordFieldInstructions(xml: string): string {
  const runs = [...xml.matchAll(INSTR_TEXT)].map((m) => m[1]).join('');
  const simple = [...xml.matchAll(/w:instr="([^"]*)"/g)].map((m) => m[1]).join(' ');
  return `${runs} ${simple}`;
}

export const DDE_INSTRUCTION = /\bDDE(AUTO)?\b/i;
