import { Injectable } from '@nestjs/common';
import { LOGINS_BUCKET, SESSIONS_BUCKET, withReplicas } from '@moat/bus';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { MemorySessionRepository } from './memory-session.repository.js';
import { NatsRepository } from './nats.repository.js';
import { COUNTER_RETENTION_MS, SESSION_RETENTION_MS, SessionRepository, type CounterRecord, type SessionRecord } from './session.repository.js';

const sessionKey = (id: string) => `s.${id}`;
const counterKey = (key: string) => `c.${key}`;
/** Compare-and-set attempts before giving up on a counter that other replicas keep changing. */
const MAX_CAS_ATTEMPTS = 20;

/**
 * SessionRepository over the JetStream KV buckets moat_sessions and moat_logins (bucket TTLs drop what nobody
 * touches any more). While NATS is unreachable it serves from this process's memory, so administrators can still
 * log in and see the outage; what was stored meanwhile stays on this replica. Lookups read memory first, so a
 * session opened during the outage keeps working after it.
 */
@Injectable()
export class KvSessionRepository extends SessionRepository {
  private readonly local = new MemorySessionRepository();
  private readonly buckets = new Map<string, Promise<KV>>();

  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const local = await this.local.getSession(id);
    if (local || !this.nats.health().ok) return local;
    const entry = await (await this.sessions()).get(sessionKey(id));
    return entry && entry.operation === 'PUT' ? entry.json<SessionRecord>() : undefined;
  }

  async putSession(id: string, record: SessionRecord): Promise<void> {
    if (!this.nats.health().ok || (await this.local.getSession(id))) return this.local.putSession(id, record);
    await (await this.sessions()).put(sessionKey(id), JSON.stringify(record));
  }

  async deleteSession(id: string): Promise<void> {
    await this.local.deleteSession(id);
    if (this.nats.health().ok) await (await this.sessions()).delete(sessionKey(id));
  }

  async deleteSessionsOf(username: string, exceptId?: string): Promise<void> {
    await this.local.deleteSessionsOf(username, exceptId);
    if (!this.nats.health().ok) return;
    const kv = await this.sessions();
    const keys: string[] = [];
    for await (const key of await kv.keys('s.*')) if (key !== sessionKey(exceptId ?? '')) keys.push(key);
    for (const key of keys) {
      const entry = await kv.get(key);
      if (entry?.operation === 'PUT' && entry.json<SessionRecord>().username === username) await kv.delete(key);
    }
  }

  async getCounter(key: string): Promise<CounterRecord | undefined> {
    if (!this.nats.health().ok) return this.local.getCounter(key);
    const entry = await (await this.logins()).get(counterKey(key));
    return live(entry && entry.operation === 'PUT' ? entry.json<CounterRecord>() : undefined);
  }

  async updateCounter(key: string, update: (current: CounterRecord | undefined) => CounterRecord): Promise<CounterRecord> {
    if (!this.nats.health().ok) return this.local.updateCounter(key, update);
    const kv = await this.logins();
    for (let attempt = 1; ; attempt++) {
      const entry = await kv.get(counterKey(key));
      const next = update(live(entry && entry.operation === 'PUT' ? entry.json<CounterRecord>() : undefined));
      try {
        if (entry) await kv.update(counterKey(key), JSON.stringify(next), entry.revision);
        else await kv.create(counterKey(key), JSON.stringify(next));
        return next;
      } catch (err) {
        // Another replica wrote first: read again and reapply.
        if (attempt >= MAX_CAS_ATTEMPTS || !isWrongRevision(err)) throw err;
      }
    }
  }

  async deleteCounter(key: string): Promise<void> {
    await this.local.deleteCounter(key);
    if (this.nats.health().ok) await (await this.logins()).delete(counterKey(key));
  }

  private sessions(): Promise<KV> {
    return this.bucket(SESSIONS_BUCKET, SESSION_RETENTION_MS, 'Moat CSM administrator sessions');
  }

  private logins(): Promise<KV> {
    return this.bucket(LOGINS_BUCKET, COUNTER_RETENTION_MS, 'Moat CSM login failure counters');
  }

  private bucket(name: string, ttl: number, description: string): Promise<KV> {
    const existing = this.buckets.get(name);
    if (existing) return existing;
    const opening = this.nats.connection().then((nc) => new Kvm(nc).create(name, withReplicas({ history: 1, ttl, description })));
    // A failed open (NATS down) must not stick: the next call tries again.
    opening.catch(() => {
      if (this.buckets.get(name) === opening) this.buckets.delete(name);
    });
    this.buckets.set(name, opening);
    return opening;
  }
}

function live(record: CounterRecord | undefined): CounterRecord | undefined {
  return record && record.expiresAtMs > Date.now() ? record : undefined;
}

function isWrongRevision(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
