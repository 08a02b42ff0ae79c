import type { StageCheck } from '../check.js';
import { countQuotas, hasQuota } from '../outbound/quota-limits.js';

/** Outbound recipients per user and per sender domain (hour, day), counted fleet-wide at each RCPT TO. */
export const submissionRecipientQuotas: StageCheck<'rcpt'> = {
  name: 'submission_recipient_quotas',
  stage: 'rcpt',
  directions: ['outbound'],
  enabled: (policy) => hasQuota(policy, 'recipients'),
  run: (ctx) => countQuotas(ctx, 'recipients'),
};
