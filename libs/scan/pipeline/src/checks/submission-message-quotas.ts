import type { StageCheck } from '../check.js';
import { countQuotas, hasQuota } from '../outbound/quota-limits.js';

/** Outbound messages per user and per sender domain (hour, day), counted fleet-wide at MAIL FROM. */
export const submissionMessageQuotas: StageCheck<'mail'> = {
  name: 'submission_message_quotas',
  stage: 'mail',
  directions: ['outbound'],
  enabled: (policy) => hasQuota(policy, 'messages'),
  run: (ctx) => countQuotas(ctx, 'messages'),
};
