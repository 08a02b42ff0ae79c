import type { CompiledPolicy } from '../compile-policy.js';
import type { ScanContext } from '../check.js';
import { countAgainst } from '../stage1/count-against.js';
import { quotaSubjects } from './identities.js';

type Counted = 'messages' | 'recipients';
const WINDOWS = [
  { name: 'HOUR', seconds: 3600, field: { messages: 'messagesPerHour', recipients: 'recipientsPerHour' } },
  { name: 'DAY', seconds: 86_400, field: { messages: 'messagesPerDay', recipients: 'recipientsPerDay' } },
] as const;

/** Whether the policy sets any quota on COUNTED. */
export function hasQuota(policy: CompiledPolicy, counted: Counted): boolean {
  const { perUser, perDomain } = policy.outbound.settings.quotas;
  return WINDOWS.some((w) => perUser[w.field[counted]] !== undefined || perDomain[w.field[counted]] !== undefined);
}

/**
 * Counts one more message or recipient against each quota of the user and of the sender domain, fleet-wide
 * (symbols QUOTA_USER_<COUNTED>_<WINDOW>, QUOTA_DOMAIN_...), and refuses as `outbound.quotas.action` says once
 * one goes over; without reachable fleet state the quota is not enforced (`*_UNAVAILABLE`).
 */
export async function countQuotas(ctx: ScanContext, counted: Counted): Promise<void> {
  const subjects = quotaSubjects(ctx);
  if (!subjects) return;
  const { perUser, perDomain, action } = ctx.policy.outbound.settings.quotas;
  const scopes = [
    { name: 'USER', limits: perUser, value: subjects.user, words: 'user' },
    { name: 'DOMAIN', limits: perDomain, value: subjects.domain, words: 'sender domain' },
  ];
  for (const scope of scopes) {
    for (const window of WINDOWS) {
      const limit = scope.limits[window.field[counted]];
      if (limit === undefined) continue;
      const symbol = `QUOTA_${scope.name}_${counted.toUpperCase()}_${window.name}`;
      const key = `quota ${counted} ${scope.name.toLowerCase()} ${window.seconds} ${scope.value}`;
      const what = `outbound quota of ${scope.words} ${scope.value} (${limit} ${counted} per ${window.name.toLowerCase()})`;
      await countAgainst(ctx, { symbol, key, subject: scope.value, limit, windowSeconds: window.seconds, action }, what);
      if (ctx.results.refused) return;
    }
  }
}
