import { classify } from '@moat/classifier';
import type { StageCheck } from '../check.js';

/**
 * The statistical classifier (@moat/classifier): the calibrated spam probability of the message becomes
 * BAYES_SPAM (up to `classifier.spamScore`) or BAYES_HAM (down to -`classifier.hamScore`), the detail naming
 * the model version. The model comes from ScanOptions.classifier; while none is loaded the check does nothing.
 * Verdict headers of other filters (X-Spam-*, foreign Authentication-Results ...) are never features: the
 * classifier drops them before tokenising.
 */
export const classifier: StageCheck<'data'> = {
  name: 'classifier',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  content: true,
  enabled: (policy) => policy.policy.classifier.enabled,
  run(ctx) {
    const model = ctx.options.classifier?.model;
    if (!model) return;
    const settings = ctx.policy.policy.classifier;
    for (const symbol of classify(ctx.message.raw, model, { spam: settings.spamScore, ham: settings.hamScore }).symbols) {
      ctx.results.add(symbol.name, symbol.score, symbol.detail);
    }
  },
};
