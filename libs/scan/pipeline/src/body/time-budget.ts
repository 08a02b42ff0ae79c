import { createContext, Script } from 'node:vm';

// V8 cannot interrupt a running RegExp from JavaScript, but a vm script's timeout terminates whatever the
// script is executing, main-realm regexes included. One context and script serve every call.
let job: (() => void) | undefined;
const context = createContext({ run: () => job?.() });
const script = new Script('run()');

/** Runs `work` synchronously for at most `budgetMs`; false when it was stopped at the limit. */
export function runWithinBudget(work: () => void, budgetMs: number): boolean {
  job = work;
  try {
    script.runInContext(context, { timeout: budgetMs });
    return true;
  } catch (error) {
    // The error belongs to the vm context's realm, so it is no instance of this realm's Error.
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return false;
    throw error;
  } finally {
    job = undefined;
  }
}
