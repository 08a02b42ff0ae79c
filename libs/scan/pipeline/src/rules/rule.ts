import type { RuleCheck, RuleSymbol } from '@moat/policy';
import type { ScanContext, StageCheck } from '../check.js';

/** Records a rule symbol with the score the policy gives it (`body.rules.scores`). */
export type AddRuleSymbol = (symbol: RuleSymbol, detail: string) => void;

/**
 * A structural or phishing rule (policy `body.rules`): an inbound content check that runs unless the rules or
 * this check are switched off, and whose symbols take their scores from the policy.
 */
export function ruleCheck(name: RuleCheck, run: (ctx: ScanContext<'data'>, add: AddRuleSymbol) => void): StageCheck<'data'> {
  return {
    name,
    stage: 'data',
    content: true,
    enabled: (policy) => policy.body.settings.rules.enabled && !policy.body.settings.rules.off.includes(name),
    run(ctx) {
      const { scores } = ctx.policy.body.settings.rules;
      run(ctx, (symbol, detail) => ctx.results.add(symbol, scores[symbol], detail));
    },
  };
}
