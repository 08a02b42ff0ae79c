import type { StageCheck } from '../check.js';
import { record, recordFindings, startContentState, typeClassOf } from '../attachments/content-findings.js';

/**
 * Stage 2: the reading's inspection of every leaf, archive member and embedded object (names, true types,
 * active content). Records each finding once with the policy's score; the attachment_policy check after the
 * antivirus turns the findings into an action.
 */
export const attachmentInspection: StageCheck<'data'> = {
  name: 'attachment_inspection',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  run(ctx) {
    const compiled = ctx.policy.attachments;
    const report = ctx.content;
    const state = startContentState(ctx.message, report);
    recordFindings(ctx, state, report.findings);
    for (const file of report.files) {
      const type = typeClassOf(file.type.kind);
      // Executables are blocked through their ATTACHMENT_EXECUTABLE finding; the other classes need a symbol of their own.
      if (type && type !== 'executable' && compiled.types[type].always) {
        record(ctx, state, { symbol: 'ATTACHMENT_TYPE_BLOCKED', detail: `${file.path}: ${type} file ${JSON.stringify(file.name)} (${file.type.mime}) is blocked by policy`, disposition: 'block', ransomware: false }, 0);
      }
    }
  },
};
