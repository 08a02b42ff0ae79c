import { dlpFindings } from '@moat/dlp';
import type { ApprovalRule } from '@moat/policy';
import { bodyView } from '../body/body-view.js';
import { addressDomain, isWithin } from '../body/domains.js';
import type { ScanContext, StageCheck } from '../check.js';

/**
 * F7 approval rules (`outbound.approvals`): each rule whose conditions all match an outbound message fires
 * APPROVAL_RULE (score 0) with its name and what matched, and the message is held for an approver (the same
 * `hold` as DLP's). Conditions: attachment types (detected type or name extension of any attachment or archive
 * member), recipients outside / inside domains, size, plain keywords in the subject or body text, DLP kinds.
 */
export const approvalRules: StageCheck<'data'> = {
  name: 'approval_rules',
  stage: 'data',
  directions: ['outbound'],
  content: true,
  enabled: (policy) => policy.policy.outbound.approvals.length > 0,
  run(ctx) {
    const facts = new MessageFacts(ctx);
    let held = false;
    for (const rule of ctx.policy.policy.outbound.approvals) {
      const matched = matchRule(rule, facts);
      if (!matched) continue;
      ctx.results.add('APPROVAL_RULE', 0, `${rule.name}: ${matched.join('; ')}`);
      held = true;
    }
    if (held) ctx.results.setAction('hold');
  },
};

/** What each condition of a rule matched, or undefined when one of them did not (conditions absent from the rule are left out). */
function matchRule(rule: ApprovalRule, facts: MessageFacts): string[] | undefined {
  const matched: string[] = [];
  const holds = <T>(condition: T | undefined, evaluate: (c: T) => string | undefined): boolean => {
    if (condition === undefined) return true;
    const result = evaluate(condition);
    if (result !== undefined) matched.push(result);
    return result !== undefined;
  };
  const all =
    holds(rule.attachmentTypes, (types) => found('attachment', facts.fileTypes().filter((t) => types.includes(t)))) &&
    holds(rule.recipientsOutside, (domains) => found('recipient outside', facts.recipientDomains.filter((r) => !domains.some((d) => isWithin(r, d))))) &&
    holds(rule.recipientsInside, (domains) => found('recipient inside', facts.recipientDomains.filter((r) => domains.some((d) => isWithin(r, d))))) &&
    holds(rule.sizeOver, (limit) => (facts.size > limit ? `size ${facts.size} > ${limit}` : undefined)) &&
    holds(rule.keywords, (words) => found('keyword', words.filter((w) => facts.text().includes(w)))) &&
    holds(rule.dlpKinds, (kinds) => found('dlp', facts.dlpKinds().filter((k) => kinds.some((kind) => kind === k))));
  return all ? matched : undefined;
}

/** `label a, b` for what matched; undefined when nothing did. */
function found(label: string, values: readonly string[]): string | undefined {
  return values.length > 0 ? `${label} ${[...new Set(values)].join(', ')}` : undefined;
}

/** What the rules compare, each part worked out once and only when a rule asks. */
class MessageFacts {
  readonly size: number;
  /** The accepted recipients' domains (lower case, A-labels); '' for an address without one. */
  readonly recipientDomains: string[];
  private types: string[] | undefined;
  private lowered: string | undefined;
  private kinds: string[] | undefined;

  constructor(private readonly ctx: ScanContext<'data'>) {
    this.size = ctx.message.size;
    this.recipientDomains = ctx.envelope.rcptTo.map((r) => addressDomain(r) ?? '');
  }

  /** Detected types and name extensions of the attachments and archive members (not the text bodies). */
  fileTypes(): string[] {
    this.types ??= this.ctx.content.files.filter((f) => f.name !== '' || f.depth > 0).flatMap((f) => [f.type.ext.toLowerCase(), ...nameExtensions(f.name)]);
    return this.types;
  }

  /** The subject and body texts, lower case, one per line. */
  text(): string {
    this.lowered ??= [this.ctx.message.headers.subject, ...bodyView(this.ctx.message).texts].join('\n').toLowerCase();
    return this.lowered;
  }

  /** The DLP kinds found anywhere in the message (all kinds; the policy's checksum setting). */
  dlpKinds(): string[] {
    this.kinds ??= dlpFindings({ files: this.ctx.content.files, subject: this.ctx.message.headers.subject }, { strictChecksum: this.ctx.policy.policy.dlp.strictChecksum }).findings.map((f) => f.kind);
    return this.kinds;
  }
}

/** `report.tar.gz` -> `gz`, `tar.gz`; `data.xlsx` -> `xlsx`. */
function nameExtensions(name: string): string[] {
  const parts = name.toLowerCase().split('.').slice(1);
  const last = parts.at(-1);
  if (!last) return [];
  const two = parts.length >= 2 ? [`${parts.at(-2)}.${last}`] : [];
  return [last, ...two];
}
