import RE2 from 're2';

/**
 * An administrator's filter pattern compiled for RE2, a linear-time engine: matching takes time linear in the
 * text whatever the pattern, so no pattern and no message can stall the node. RE2 has no backreferences and
 * no lookaround (`\1`, `(?=`, `(?<!`): such patterns do not compile, and the policy refuses them.
 * Throws when the pattern does not compile; the message says why.
 */
export function compileFilterRegex(pattern: string, flags: string): RegExp {
  return new RE2(pattern, flags);
}

/** Why RE2 cannot compile the pattern, or undefined when it can. */
export function filterRegexProblem(pattern: string, flags: string): string | undefined {
  try {
    compileFilterRegex(pattern, flags);
    return undefined;
  } catch (err) {
    return `not a pattern the linear-time engine (RE2) accepts: ${(err as Error).message}; backreferences and lookaround are not supported`;
  }
}
