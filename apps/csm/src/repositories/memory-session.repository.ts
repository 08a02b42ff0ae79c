import { SESSION_RETENTION_MS, SessionRepository, type CounterRecord, type SessionRecord } from './session.repository.js';

/**
 * SessionRepository in this process's memory: what the KV repository falls back to while NATS is unreachable
 * (sessions opened then work on this replica only), and the stand-in of unit specs. Expired entries are dropped
 * on writes (at most once a second), so guessing names or addresses cannot grow it without bound.
 */
export class MemorySessionRepository extends SessionRepository {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly counters = new Map<string, CounterRecord>();
  private prunedAtMs = 0;

  async getSession(id: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(id);
  }

  async putSession(id: string, record: SessionRecord): Promise<void> {
    this.prune(Date.now());
    this.sessions.set(id, record);
  }

  async deleteSession(id: string): Promise<void> {
    this.sessions.delete(id);
  }

  async deleteSessionsOf(username: string, exceptId?: string): Promise<void> {
    for (const [id, session] of this.sessions) if (session.username === username && id !== exceptId) this.sessions.delete(id);
  }

  async getCounter(key: string): Promise<CounterRecord | undefined> {
    const record = this.counters.get(key);
    return record && record.expiresAtMs > Date.now() ? record : undefined;
  }

  async updateCounter(key: string, update: (current: CounterRecord | undefined) => CounterRecord): Promise<CounterRecord> {
    const now = Date.now();
    this.prune(now);
    const next = update(await this.getCounter(key));
    this.counters.set(key, next);
    return next;
  }

  async deleteCounter(key: string): Promise<void> {
    this.counters.delete(key);
  }

  private prune(now: number): void {
    if (now - this.prunedAtMs < 1000) return;
    this.prunedAtMs = now;
    for (const [id, session] of this.sessions) if (session.createdAtMs < now - SESSION_RETENTION_MS) this.sessions.delete(id);
    for (const [key, counter] of this.counters) if (counter.expiresAtMs <= now) this.counters.delete(key);
  }
}
