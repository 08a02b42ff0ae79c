import { classify, logOddsInDetail, OnlineLearner, recallAtFpRate, rocArea, type SpamModel } from '@moat/classifier';
import { MemoryFleetState } from '@moat/fleet-state';
import { compilePolicy, decideVerdict, defaultChecks, MessageScanner, Pipeline, Results, type ActionName, type CompiledPolicy } from '@moat/pipeline';
import type { Policy } from '@moat/policy';
import { offlineVerdict } from '../scan/offline-verdict.js';

/**
 * The verdict score saturates where BAYES_SPAM / BAYES_HAM do (p near 1 or 0), so many spam and ham would tie on
 * it; within one verdict score, messages are ranked by the classifier's log-odds, which do not saturate. Verdict
 * scores are rounded to 0.001, so a tie-break under half of that never reorders two different verdict scores.
 */
const TIE_BREAK = 0.0004;

/** What one message scored before it was learned: the ranking score and the action the policy would take. */
export interface EvalScore {
  score: number;
  action: ActionName;
}

export interface EvaluatorOptions {
  policy: Policy;
  /** The model to score with; with learning on it learns in place (pass a copy of a shared one). */
  model: SpamModel;
  /** Rank by the classifier alone (its calibrated log-odds) instead of the whole content pipeline's verdict score. */
  classifierOnly: boolean;
  /** Learn each message's label after scoring it (TREC immediate feedback). */
  learn: boolean;
}

/**
 * Scores messages one by one as `moat scan` does (the content pipeline of the policy, no envelope, the classifier
 * on with the given model) or by the classifier alone, and learns each label after scoring when asked.
 */
export class Evaluator {
  private readonly scanner: MessageScanner;
  private readonly compiled: CompiledPolicy;
  private readonly learner: OnlineLearner | undefined;

  constructor(private readonly opts: EvaluatorOptions) {
    const policy = { ...opts.policy, classifier: { ...opts.policy.classifier, enabled: true } };
    this.compiled = compilePolicy(policy, 0);
    this.scanner = new MessageScanner(this.compiled, new Pipeline(defaultChecks(), { fleetState: new MemoryFleetState(), classifier: { model: opts.model } }));
    this.learner = opts.learn ? new OnlineLearner(opts.model) : undefined;
  }

  async score(raw: Buffer): Promise<EvalScore> {
    if (!this.opts.classifierOnly) {
      const verdict = await offlineVerdict(this.scanner, raw, {});
      const bayes = verdict.symbols.find((s) => s.name === 'BAYES_SPAM' || s.name === 'BAYES_HAM');
      const logOdds = bayes ? logOddsInDetail(bayes.detail) : undefined;
      return { score: verdict.score + (logOdds === undefined ? 0 : TIE_BREAK * Math.tanh(logOdds / 50)), action: verdict.action };
    }
    const settings = this.compiled.policy.classifier;
    const result = classify(raw, this.opts.model, { spam: settings.spamScore, ham: settings.hamScore });
    const results = new Results();
    results.stage = 'data';
    for (const symbol of result.symbols) results.add(symbol.name, symbol.score, symbol.detail);
    return { score: result.logOdds, action: decideVerdict([results], this.compiled.thresholds).action };
  }

  learn(raw: Buffer, spam: boolean): void {
    this.learner?.learn(raw, spam);
  }
}

/** The figures of a run: TREC's (1-ROCA)%, recall at FP <= 0.1% and <= 1% (in %), and CPU ms per message. */
export interface EvalSummary {
  messages: number;
  spam: number;
  ham: number;
  unreadable: number;
  '1-ROCA%': number | null;
  'recall%@FP<=0.1%': number | null;
  'recall%@FP<=1%': number | null;
  cpuMsPerMessage: number;
}

/** Sums up scored messages; figures that need both classes are null without them. */
export function summarise(spamScores: number[], hamScores: number[], unreadable: number, cpuMs: number): EvalSummary {
  const both = spamScores.length > 0 && hamScores.length > 0;
  const messages = spamScores.length + hamScores.length;
  const round = (x: number): number => Math.round(x * 10000) / 10000;
  return {
    messages,
    spam: spamScores.length,
    ham: hamScores.length,
    unreadable,
    '1-ROCA%': both ? round((1 - rocArea(spamScores, hamScores)) * 100) : null,
    'recall%@FP<=0.1%': both ? round(recallAtFpRate(spamScores, hamScores, 0.001).recall * 100) : null,
    'recall%@FP<=1%': both ? round(recallAtFpRate(spamScores, hamScores, 0.01).recall * 100) : null,
    cpuMsPerMessage: messages > 0 ? round(cpuMs / messages) : 0,
  };
}
