import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemorySessionRepository } from '../repositories/memory-session.repository.js';
import { testConfig } from '../testing/in-memory-repositories.js';
import { SessionService } from './session.service.js';

describe('SessionService', () => {
  afterEach(() => vi.useRealTimers());
  const make = (store = new MemorySessionRepository()) => new SessionService(store, testConfig({ MOAT_SESSION_IDLE_SECONDS: '600', MOAT_SESSION_MAX_SECONDS: '3600' }));

  it('stores a session under a hash of its token, never the token', async () => {
    const store = new MemorySessionRepository();
    const put = vi.spyOn(store, 'putSession');
    const { token } = await make(store).open('alice');
    expect(put).toHaveBeenCalledOnce();
    const [id, record] = put.mock.calls[0]!;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify([id, record])).not.toContain(token);
  });

  it('ends a session after the idle timeout, extending it on use, and after the absolute expiry whatever its use', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const sessions = make();
    const { token, expiresAt } = await sessions.open('alice');
    expect(expiresAt).toBe(Date.now() + 600_000);
    for (let minutes = 9; minutes <= 54; minutes += 9) {
      vi.setSystemTime(Date.now() + 9 * 60_000);
      expect(await sessions.resolve(token)).toBe('alice');
    }
    vi.setSystemTime(Date.now() + 6 * 60_000 + 1);
    expect(await sessions.resolve(token)).toBeUndefined();

    const idle = await sessions.open('bob');
    vi.setSystemTime(Date.now() + 600_000);
    expect(await sessions.resolve(idle.token)).toBeUndefined();
  });

  it('forgets a session that was ended, and knows no made-up token', async () => {
    const sessions = make();
    const { token } = await sessions.open('alice');
    await sessions.end(token);
    expect(await sessions.resolve(token)).toBeUndefined();
    expect(await sessions.resolve('made-up')).toBeUndefined();
  });
});
