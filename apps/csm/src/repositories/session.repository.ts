/** A session is dropped this long after it was opened, whatever the settings (the absolute expiry may not exceed it). */
export const SESSION_RETENTION_MS = 24 * 3600 * 1000;
/** Login counters are dropped this long after their last write (their windows and lockouts are shorter). */
export const COUNTER_RETENTION_MS = 3600 * 1000;

/** One administrator session; the key it is stored under is a hash of its bearer token, never the token. */
export interface SessionRecord {
  username: string;
  createdAtMs: number;
  /** Last call that used the session (written at most every tenth of the idle timeout). */
  lastSeenMs: number;
}

/** A login counter: failures seen, and until when it matters. */
export interface CounterRecord {
  count: number;
  /** 0 unless the counter locked something: the moment the lockout ends. */
  lockedUntilMs: number;
  /** The record is ignored (and may be dropped) after this moment. */
  expiresAtMs: number;
}

/**
 * Sessions and login failure counters, shared by every CSM replica (JetStream KV buckets moat_sessions and
 * moat_logins), so a session opened on one replica works on another and a lockout counted on one applies on all.
 */
export abstract class SessionRepository {
  abstract getSession(id: string): Promise<SessionRecord | undefined>;
  abstract putSession(id: string, record: SessionRecord): Promise<void>;
  abstract deleteSession(id: string): Promise<void>;
  /** Deletes every session of USERNAME except the one stored under EXCEPTID. */
  abstract deleteSessionsOf(username: string, exceptId?: string): Promise<void>;
  /** The counter under KEY, undefined when absent or expired. */
  abstract getCounter(key: string): Promise<CounterRecord | undefined>;
  /** Applies UPDATE to the counter under KEY (undefined when absent or expired) atomically, against concurrent replicas. */
  abstract updateCounter(key: string, update: (current: CounterRecord | undefined) => CounterRecord): Promise<CounterRecord>;
  abstract deleteCounter(key: string): Promise<void>;
}
