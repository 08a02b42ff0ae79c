import { dlpFindings, dlpOptionsOf, dlpVerdict } from '@moat/dlp';
import type { StageCheck } from '../check.js';

/** What a sender is told when a DLP rule with action block matches. */
export const DLP_REJECT = { code: 554, message: '5.7.1 message refused: it carries personal data (data loss prevention policy)' };

/**
 * F20 data loss prevention: the subject, the bodies and the text of every attachment (archives and documents
 * opened) scanned by @moat/dlp for the kinds the policy's `dlp` rules name, in the directions it names. Each kind
 * found fires DLP_<KIND> (score 0) with the distinct count and masked examples only; the most severe rule that
 * reached its threshold acts: log delivers, hold keeps the message for an approver, block refuses it with 554.
 */
export const dlp: StageCheck<'data'> = {
  name: 'dlp',
  stage: 'data',
  // Both directions; the policy's `directions` choose per message.
  directions: ['inbound', 'outbound'],
  content: true,
  enabled: (policy) => policy.policy.dlp.enabled,
  run(ctx) {
    const policy = ctx.policy.policy.dlp;
    const options = dlpOptionsOf(policy, ctx.envelope.direction ?? 'inbound');
    if (!options) return;
    const result = dlpFindings({ files: ctx.content.files, subject: ctx.message.headers.subject }, options);
    const verdict = dlpVerdict(result.findings, policy);
    for (const finding of result.findings) {
      const rule = verdict.triggered.find((t) => t.kind === finding.kind);
      const acted = rule ? `; threshold ${rule.threshold} reached: ${rule.action}` : '';
      ctx.results.add(`DLP_${finding.kind.toUpperCase().replaceAll('-', '_')}`, 0, `${finding.count} distinct (${finding.samples.join(', ')}) in ${finding.where.join(', ')}${acted}`);
    }
    if (result.truncated) ctx.results.add('DLP_TRUNCATED', 0, 'a text limit left part of the message unscanned');
    if (verdict.action === 'block') ctx.results.reject(DLP_REJECT);
    else if (verdict.action === 'hold') ctx.results.setAction('hold');
  },
};
