import type { StageCheck } from '../check.js';

/** RCPT TO must be a valid RFC 5321 forward-path. */
export const recipientSyntax: StageCheck<'rcpt'> = {
  name: 'recipient_syntax',
  stage: 'rcpt',
  directions: ['inbound', 'outbound'],
  run(ctx) {
    const { parsed, address } = ctx.rcpt;
    if (parsed.ok) return;
    ctx.results.add('RCPT_SYNTAX', 0, `${address}: ${parsed.reason}`);
    ctx.results.reject({ code: parsed.code, message: `5.1.3 bad recipient address syntax: ${parsed.reason}` });
  },
};
