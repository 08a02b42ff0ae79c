import { decodeWords, type HeaderField } from '@moat/content';
import type { StageCheck } from '../check.js';
import { bodyView } from '../body/body-view.js';
import type { CompiledRegexRule } from '../body/compile-body.js';
import type { MessageContent } from '../message/parse-message.js';

const FILTER_REJECT = { code: 554, message: '5.7.1 message rejected by content filter' };

/**
 * The tenant's regex filters on subject, header fields, body text and attachment names. A matching block
 * rule fires REGEX_<NAME> with its score (and forced action, if it has one); a matching allow rule fires
 * REGEX_ALLOW_<NAME> and cancels every block rule for the message. Patterns run on RE2, so each search takes
 * time linear in the text; the policy's time budget bounds their sum (checked after each rule on each text),
 * and a message that exhausts it fires REGEX_TIMEOUT (score 0) naming the rule it stopped in.
 */
export const regexFilters: StageCheck<'data'> = {
  name: 'regex_filters',
  stage: 'data',
  directions: ['inbound', 'outbound'],
  content: true,
  enabled: (policy) => policy.body.regexRules.length > 0,
  run(ctx) {
    const { regexRules } = ctx.policy.body;
    const matched: { rule: CompiledRegexRule; where: string; text: string }[] = [];
    const deadline = performance.now() + ctx.policy.body.settings.regex.budgetMs;
    for (const rule of regexRules) {
      const hit = firstMatch(rule, ctx.message, deadline);
      if (hit === 'timeout') {
        ctx.results.add('REGEX_TIMEOUT', 0, `time budget ran out in rule ${rule.rule.name}; later rules skipped`);
        break;
      }
      if (hit) matched.push({ rule, ...hit });
    }

    const allowed = matched.filter((m) => m.rule.rule.kind === 'allow');
    for (const m of allowed.length > 0 ? allowed : matched) {
      ctx.results.add(m.rule.symbol, m.rule.score, `${m.where} matches /${m.rule.rule.pattern}/: "${m.text}"`);
      const action = m.rule.rule.action;
      if (action === 'reject') ctx.results.reject(FILTER_REJECT);
      else if (action) ctx.results.setAction(action);
    }
  },
};

function firstMatch(rule: CompiledRegexRule, message: MessageContent, deadline: number): { where: string; text: string } | 'timeout' | undefined {
  for (const [where, text] of targets(rule, message)) {
    const match = rule.regex.exec(text);
    if (match) return { where, text: match[0].slice(0, 80) };
    if (performance.now() > deadline) return 'timeout';
  }
  return undefined;
}

function targets(rule: CompiledRegexRule, message: MessageContent): [string, string][] {
  switch (rule.rule.on) {
    case 'subject':
      return [['subject', message.headers.subject]];
    case 'header':
      return headerValues(message.headerFields, rule.rule.header ?? '').map((value) => [rule.rule.header ?? 'header', value]);
    case 'body':
      return bodyView(message).texts.map((text) => ['body', text]);
    case 'attachment':
      return message.attachments.map((a) => ['attachment name', a.name]);
  }
}

/** Every occurrence of a header field, unfolded, encoded-words decoded. */
function headerValues(fields: readonly HeaderField[], name: string): string[] {
  return fields.filter((f) => f.name === name).map((f) => decodeWords(f.value));
}
