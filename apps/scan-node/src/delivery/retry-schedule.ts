/** The delivery retry policy (`policy.delivery`). */
export interface RetryPolicy {
  retryScheduleSeconds: readonly number[];
  maxAgeSeconds: number;
}

export type RetryDecision = { retryAtMs: number } | { expired: true };

/**
 * When to try again after FAILEDATTEMPTS attempts (1 after the first failure): the schedule's entry for that
 * attempt, its last entry repeating; expired once the retry would fall after the message's maximum age.
 */
export function nextRetry(policy: RetryPolicy, receivedAtMs: number, failedAttempts: number, now: number): RetryDecision {
  const schedule = policy.retryScheduleSeconds;
  const delaySeconds = schedule[Math.min(Math.max(failedAttempts, 1), schedule.length) - 1] ?? 0;
  const retryAtMs = now + delaySeconds * 1000;
  if (retryAtMs - receivedAtMs > policy.maxAgeSeconds * 1000) return { expired: true };
  return { retryAtMs };
}
