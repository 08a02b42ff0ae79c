import { analyse } from 'scslre';

export type RegexSafety = { ok: true } | { ok: false; reason: string };

/**
 * Whether an admin's filter pattern compiles and is free of catastrophic backtracking.
 *
 * Refused: patterns that backtrack exponentially or polynomially within one match attempt (nested or
 * adjacent overlapping quantifiers such as `(a+)+`, `(\w+\s?)*`, `a.*b.*c` on long lines), found by
 * scslre's analysis of the pattern's automaton. Accepted patterns may still be quadratic through retries
 * at every start position (`\d+\.\d+` on a long run of digits): the pipeline runs every filter under a
 * time budget for that reason, so a message can slow a filter down but never stall the node.
 */
export function checkRegexSafety(pattern: string, flags: string): RegexSafety {
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    return { ok: false, reason: `invalid regular expression: ${(err as Error).message}` };
  }
  let reports;
  try {
    reports = analyse({ source: pattern, flags }, { maxReports: 10 }).reports;
  } catch (err) {
    return { ok: false, reason: `pattern cannot be analysed for backtracking: ${(err as Error).message}` };
  }
  // "Move" reports are the per-start-position retries every unanchored pattern has; the time budget covers them.
  const harmful = reports.find((report) => report.exponential || report.type !== 'Move');
  if (!harmful) return { ok: true };
  const fix = harmful.fix();
  const kind = harmful.exponential ? 'exponential' : 'polynomial';
  return {
    ok: false,
    reason: `catastrophic backtracking (${kind}) on repeated '${harmful.character.pick}'${fix ? `; an equivalent safe pattern is ${fix.source}` : '; avoid nested or overlapping quantifiers'}`,
  };
}
