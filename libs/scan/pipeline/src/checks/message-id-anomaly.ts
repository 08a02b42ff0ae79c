import { ruleCheck } from '../rules/rule.js';

// msg-id = "<" id-left "@" id-right ">" (RFC 5322 section 3.6.4), with no spaces inside.
const MSG_ID = /^<[^<>@\s]+@[^<>@\s]+>$/;

/** MID_MISSING: no Message-ID (every real client and server adds one); MID_MALFORMED: not <left@right>. */
export const messageIdAnomaly = ruleCheck('message_id_anomaly', (ctx, add) => {
  const field = ctx.message.headerFields.find((f) => f.name === 'message-id');
  if (!field) return add('MID_MISSING', 'no Message-ID header');
  const value = field.value.trim();
  if (!MSG_ID.test(value)) add('MID_MALFORMED', `Message-ID: ${JSON.stringify(value.slice(0, 100))}`);
});
