import type { SpamModel } from '@moat/classifier';
import type { ContentReport } from '@moat/content';
import type { StageCheck } from './check.js';
import { defaultChecks } from './checks/index.js';
import type { CompiledPolicy } from './compile-policy.js';
import type { ParsedMessage } from './message/parse-message.js';
import { Results, type ForcedAction } from './results.js';
import type { Envelope, ScanSymbol } from './types.js';

/** Symbol of a content check that did not finish within `body.checkTimeoutMs` (or whose thread died). */
export const CHECK_TIMEOUT = 'CHECK_TIMEOUT';

/**
 * What a reader needs to run the data stage's content checks (those marked `content`) on the message it read,
 * off the session's thread: their names in run order, the policy, the envelope and the classifier's model.
 */
export interface ContentCheckJob {
  checks: string[];
  policy: CompiledPolicy;
  envelope: Envelope;
  model: SpamModel | undefined;
  /** Longest all of them together may run: `body.checkTimeoutMs`. */
  timeoutMs: number;
}

/** One content check's findings, made elsewhere: its symbols and forced action, or why it threw. */
export type ContentCheckResult = { check: string; symbols: Omit<ScanSymbol, 'stage'>[]; forced?: ForcedAction } | { check: string; error: string };

/** The content checks a reader ran: each one's findings in run order, and the check it stopped in, if it did. */
export interface ContentCheckOutcome {
  results: ContentCheckResult[];
  /** The check that was running when the time ran out or its thread died; the later ones did not run. */
  stopped?: { check: string; why: string };
}

/** The default content checks by name: what a reader can run. */
function contentChecks(): Map<string, StageCheck<'data'>> {
  const byName = new Map<string, StageCheck<'data'>>();
  for (const check of defaultChecks()) if (check.stage === 'data' && check.content) byName.set(check.name, check);
  return byName;
}

/**
 * Runs the named content checks, in order, on a message read here, handing each one's findings to `done` as it
 * finishes (so that a reader stopped in one check still has the earlier ones'). The scan node's inspection
 * workers call this after the MIME walk; the session applies the findings in the checks' places.
 */
export function runContentChecks(
  job: Pick<ContentCheckJob, 'checks' | 'policy' | 'envelope' | 'model'>,
  message: ParsedMessage,
  content: ContentReport,
  done: (result: ContentCheckResult) => void,
): void {
  const available = contentChecks();
  for (const name of job.checks) {
    const results = new Results();
    results.stage = 'data';
    try {
      const check = available.get(name);
      if (!check) throw new Error(`no content check is named ${name}`);
      const ctx = {
        policy: job.policy,
        options: { classifier: { model: job.model } },
        envelope: job.envelope,
        results,
        connection: { ipAllowed: false, ipBlockDeferred: false },
        transaction: { sender: undefined, senderAllowed: false, senderBlockDeferred: false },
        message,
        content,
      };
      if (check.run(ctx)) throw new Error(`${name} is not synchronous, so it cannot be a content check`);
      done({ check: name, symbols: results.symbols.map(({ name: symbol, score, detail }) => ({ name: symbol, score, detail })), ...(results.forced ? { forced: results.forced } : {}) });
    } catch (err) {
      done({ check: name, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
