import { SPAM_MAILERS } from '../rules/lists/spam-tools.js';
import { ruleCheck } from '../rules/rule.js';

const OPT_OUT = /\b(?:unsubscribe|remove\s+me|be\s+removed|removed\s+from\s+(?:our|this|the)\s+(?:mailing\s+)?list|opt[\s-]out)\b|수신\s*거부/iu;
const MAX_TEXT = 64 * 1024;

/**
 * XMAILER_SPAM_TOOL: X-Mailer or User-Agent names a mass-mailing tool used for spam (rules/lists/spam-tools.ts).
 * BULK_NO_UNSUBSCRIBE: bulk mail (opt-out wording in the text) with neither List-Unsubscribe nor List-Id: real
 * lists and newsletter services give one, bulk tools write "to be removed, reply" into the text.
 */
export const bulkMailer = ruleCheck('bulk_mailer', (ctx, add) => {
  const fields = ctx.message.headerFields;
  for (const field of fields) {
    if (field.name !== 'x-mailer' && field.name !== 'user-agent') continue;
    const value = field.value.trim().toLowerCase();
    const tool = SPAM_MAILERS.find((mailer) => value.startsWith(mailer));
    if (tool) {
      add('XMAILER_SPAM_TOOL', `${field.name}: ${field.value.trim().slice(0, 80)}`);
      break;
    }
  }
  if (fields.some((f) => f.name === 'list-unsubscribe' || f.name === 'list-id')) return;
  const text = `${ctx.message.text.slice(0, MAX_TEXT)}\n${ctx.message.html.slice(0, MAX_TEXT)}`;
  const optOut = OPT_OUT.exec(text);
  if (optOut) add('BULK_NO_UNSUBSCRIBE', `"${optOut[0]}" without List-Unsubscribe`);
});
