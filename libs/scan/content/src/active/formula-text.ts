import type { Issue } from '../archive/types.js';
import { NOTHING, type ActiveContentDetector } from './analysis.js';
import { DDE_INSTRUCTION, wordFieldInstructions } from './word-fields.js';

// =cmd|'/c calc'!A0 : a DDE call from a spreadsheet cell (CSV, SYLK, Excel 2003 XML): a formula sign at the start of
// a cell (line start or separator, then spaces), a "|" later in the cell, a "!" later on the line. A match takes the
// cell from the sign to its first "|", then the line to its first "!" (group 1 if any), and the search resumes after
// it: no later sign in that stretch can find more, so each character is read once (a pattern that failed again from
// every sign took seconds on a line of "=|"). The sign is matched first and its cell start looked behind for.
const DDE_FORMULA = /[=+\-@](?<=(?:^|[,;\t"=])\s*[=+\-@])[^\r\n,"|]*(?:\|[^\r\n!]*(!)?)?/gm;
const XLM_FUNCTION = /;E\s*(EXEC|CALL|REGISTER|RUN|HALT|ALERT|FORMULA|FOPEN|FWRITE|GET\.WORKSPACE|URLDownloadToFile)\s*\(/i;
const AUTO_NAME = /^NN;NAuto_(Open|Close)\b/im;

/** Text documents Office opens: DDE formulas (CSV, SYLK, SpreadsheetML 2003), DDE fields (Word XML), SYLK Excel 4 macros. */
export const formulaTextContent: ActiveContentDetector = {
  name: 'formula-text',
  applies: (type, name) => type.ext === 'slk' || (type.kind === 'text' && /\.(csv|xml|slk|txt|tsv|xls)$/i.test(name)),
  analyze(data) {
    const text = data.toString('latin1', 0, Math.min(data.length, 16 * 1024 * 1024));
    const issues: Issue[] = [];
    if (hasDdeFormula(text)) issues.push({ symbol: 'OFFICE_DDE', detail: 'DDE formula in a spreadsheet cell' });
    else if (DDE_INSTRUCTION.test(wordFieldInstructions(text))) issues.push({ symbol: 'OFFICE_DDE', detail: 'DDE field in a Word XML document' });
    if (text.startsWith('ID;') && (XLM_FUNCTION.test(text) || AUTO_NAME.test(text))) issues.push({ symbol: 'OFFICE_XLM', detail: 'Excel 4 macro in a SYLK file' });
    return issues.length ? { issues, embedded: [] } : NOTHING;
  },
};

function hasDdeFormula(text: string): boolean {
  for (const match of text.matchAll(DDE_FORMULA)) if (match[1]) return true;
  return false;
}
