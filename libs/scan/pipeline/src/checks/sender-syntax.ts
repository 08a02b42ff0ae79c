import type { StageCheck } from '../check.js';

/** MAIL FROM must be a valid RFC 5321 reverse-path (or the null sender `<>`). */
export const senderSyntax: StageCheck<'mail'> = {
  name: 'sender_syntax',
  stage: 'mail',
  directions: ['inbound', 'outbound'],
  run(ctx) {
    const sender = ctx.transaction.sender;
    if (!sender || sender.ok) return;
    ctx.results.add('MAIL_FROM_SYNTAX', 0, `${ctx.envelope.mailFrom ?? ''}: ${sender.reason}`);
    ctx.results.reject({ code: sender.code, message: `5.1.7 bad sender address syntax: ${sender.reason}` });
  },
};
