import { ruleCheck } from '../rules/rule.js';

// A run of spaces (or look-alike blanks, or underscores) before the extension, to push it out of sight in a
// mail client's attachment list: "invoice.pdf                    .exe".
const PADDING = /[\s\u2000-\u200b\u3000\u00a0_]{8}[^.\s]{0,200}\.[\p{L}\p{N}]{1,10}$/u;

/**
 * ATTACHMENT_NAME_PADDING: an attachment name padded with blanks before its real extension. Double extensions
 * and bidi overrides are the attachment stage's (ATTACHMENT_DOUBLE_EXTENSION, ATTACHMENT_RTLO).
 */
export const attachmentNamePadding = ruleCheck('attachment_name_padding', (ctx, add) => {
  for (const file of ctx.content.files) {
    if (file.name && PADDING.test(file.name.slice(-300))) return add('ATTACHMENT_NAME_PADDING', JSON.stringify(file.name.replace(/\s+/g, ' ').slice(0, 100)));
  }
});
