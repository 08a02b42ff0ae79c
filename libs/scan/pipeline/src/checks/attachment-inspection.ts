import { inspectMessage } from '@moat/content';
import type { StageCheck } from '../check.js';
import { record, recordFindings, startContentState, typeClassOf } from '../attachments/content-findings.js';

/**
 * Stage 2: one MIME walk over the whole message, every leaf, archive member and embedded object looked at
 * (names, true types, active content). Records each finding once with the policy's score; the
 * attachment_policy check after the antivirus turns the findings into an action.
 */
export const attachmentInspection: StageCheck<'data'> = {
  name: 'attachment_inspection',
  stage: 'data',
  async run(ctx) {
    const compiled = ctx.policy.attachments;
    const options = { blockedExtensions: compiled.blockedExtensions, archiveLimits: compiled.archiveLimits };
    const inspector = ctx.options.inspector;
    const report = await (inspector ? inspector(ctx.message.raw, options, compiled.settings.inspectionTimeoutMs) : inspectMessage(ctx.message.raw, options));
    const state = startContentState(ctx.message, report);
    recordFindings(ctx, state, report.findings);
    for (const file of report.files) {
      const type = typeClassOf(file.type.kind);
      // Executables are blocked through their ATTACHMENT_EXECUTABLE finding; the other classes need a symbol of their own.
      if (type && type !== 'executable' && compiled.types[type].always) {
        record(ctx, state, { symbol: 'ATTACHMENT_TYPE_BLOCKED', detail: `${file.path}: ${type} file ${JSON.stringify(file.name)} (${file.type.mime}) is blocked by policy`, disposition: 'block', ransomware: false }, 0);
      }
    }
    // mailparser's attachments and the walk's depth-0 leaves are the same decoded bytes.
    const leafTypes = new Map(report.files.filter((f) => f.depth === 0).map((f) => [f.sha256, f.type.mime]));
    for (const attachment of ctx.message.attachments) attachment.detectedType = leafTypes.get(attachment.sha256) ?? attachment.detectedType;
  },
};
