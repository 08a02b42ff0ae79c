import type { StageCheck } from '../check.js';
import { contentStateOf, record, type ContentDecision } from '../attachments/content-findings.js';

const SEVERITY = { allow: 0, score: 0, tag: 1, quarantine: 2, block: 3 } as const;

/**
 * Turns what the attachment inspection and the antivirus found into the policy's action: the strictest
 * finding blocks (554), quarantines or tags the message. A message the walk could not finish is quarantined
 * or refused, never delivered as if clean. Runs before the body checks so that none of their forced actions
 * can skip it.
 */
export const attachmentPolicy: StageCheck<'data'> = {
  name: 'attachment_policy',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  run(ctx) {
    const state = contentStateOf(ctx.message);
    if (!state) return;
    const settings = ctx.policy.attachments.settings;
    if (!state.report.complete) {
      const stopped = state.report.findings.some((f) => f.symbol === 'INSPECTION_STOPPED') ? 'the inspection was stopped' : `the MIME walk stopped after ${state.report.parts} parts`;
      record(ctx, state, { symbol: 'CONTENT_INCOMPLETE', detail: `${stopped}; the rest was not inspected`, disposition: settings.incomplete, ransomware: false }, 0);
    }
    const group = state.decisions.filter((d) => d.ransomware && d.disposition !== 'allow');
    if (group.length > 0) ctx.results.add('RANSOMWARE', 0, [...new Set(group.map((d) => d.symbol))].join(' '));

    const worst = state.decisions.reduce<ContentDecision | undefined>((w, d) => (SEVERITY[d.disposition] > (w ? SEVERITY[w.disposition] : 0) ? d : w), undefined);
    if (!worst) return;
    if (worst.disposition === 'block') ctx.results.reject({ code: 554, message: `5.7.1 message refused by attachment policy (${worst.symbol})` });
    else if (worst.disposition === 'quarantine' || worst.disposition === 'tag') ctx.results.setAction(worst.disposition);
  },
};
