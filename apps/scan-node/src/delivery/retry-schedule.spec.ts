import { describe, expect, it } from 'vitest';
import { nextRetry } from './retry-schedule.js';

describe('nextRetry', () => {
  const policy = { retryScheduleSeconds: [60, 300, 900], maxAgeSeconds: 3600 };
  const received = 1_000_000;

  it('waits the scheduled delay for each failed attempt, repeating the last one', () => {
    expect(nextRetry(policy, received, 1, received)).toEqual({ retryAtMs: received + 60_000 });
    expect(nextRetry(policy, received, 2, received + 60_000)).toEqual({ retryAtMs: received + 360_000 });
    expect(nextRetry(policy, received, 3, received + 360_000)).toEqual({ retryAtMs: received + 1_260_000 });
    expect(nextRetry(policy, received, 7, received + 1_260_000)).toEqual({ retryAtMs: received + 2_160_000 });
  });

  it('gives up once the next try would come after the maximum age', () => {
    expect(nextRetry(policy, received, 4, received + 2_800_000)).toEqual({ expired: true });
  });
});
