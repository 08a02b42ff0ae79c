/**
 * The field instructions of WordprocessingML (OOXML parts, Word 2003 XML, flat OPC): `w:instrText` runs
 * joined (a field code is often split across runs) and `w:fldSimple w:instr` attributes.
 */
export function wordFieldInstructions(xml: string): string {
  const runs = [...xml.matchAll(/<w:instrText\b[^>]*>([^<]*)<\/w:instrText>/g)].map((m) => m[1]).join('');
  const simple = [...xml.matchAll(/w:instr="([^"]*)"/g)].map((m) => m[1]).join(' ');
  return `${runs} ${simple}`;
}

export const DDE_INSTRUCTION = /\bDDE(AUTO)?\b/i;
