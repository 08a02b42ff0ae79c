import { reportSpam, type FuzzyStore } from '@moat/pipeline';
import type { ReportMessage } from '@moat/proto/grpc';
import { errorText } from '../log.js';
import type { PolicyStore } from '../policy/policy-store.js';
import type { ClassifierModels } from './classifier-models.js';

export interface ReportDeps {
  /** Where quarantined and held messages are (the node's Quarantine). */
  quarantine: { fetch(id: string): Promise<{ raw: Buffer } | undefined> };
  models: Pick<ClassifierModels, 'learn'>;
  fuzzy: FuzzyStore;
  policies: Pick<PolicyStore, 'current'>;
}

export interface ReportOutcome {
  detail: string;
  /** The model that learned the message; the CSM makes it current through the policy. */
  modelVersion: string;
}

/**
 * The CSM's Control.report ("report spam" / "not spam"): learns the message (from quarantine, or sent along)
 * into a copy of the base model, and for spam puts its fuzzy checksums on the fleet-wide deny list. Learning is
 * what the admin asked for, so its failure fails the command; a message too short to fingerprint is still
 * learned, and the detail says the deny list was not fed.
 */
export async function reportMessage(deps: ReportDeps, report: ReportMessage): Promise<ReportOutcome> {
  const raw = await messageOf(deps, report);
  const learned = await deps.models.learn(report.baseModelVersion, raw, report.spam);
  const parts = [`learned as ${report.spam ? 'spam' : 'ham'} into model ${learned.version} (spam probability ${learned.before.toFixed(3)} -> ${learned.after.toFixed(3)})`];
  if (report.spam) {
    try {
      const reason = report.messageId ? `reported spam, message ${report.messageId}` : 'reported spam (uploaded message)';
      const denied = await reportSpam(deps.fuzzy, raw, reason, deps.policies.current.policy.body.bulk.minWords);
      parts.push(`${denied.length} fuzzy checksum${denied.length === 1 ? '' : 's'} added to the deny list`);
    } catch (err) {
      parts.push(`not added to the fuzzy deny list: ${errorText(err)}`);
    }
  }
  return { detail: parts.join('; '), modelVersion: learned.version };
}

async function messageOf(deps: ReportDeps, report: ReportMessage): Promise<Buffer> {
  if (report.messageId) {
    const found = await deps.quarantine.fetch(report.messageId);
    if (!found) throw new Error(`message ${report.messageId} is not in quarantine`);
    return found.raw;
  }
  if (report.raw.length === 0) throw new Error('the report carries neither a message id nor a message');
  return Buffer.from(report.raw);
}
