/** A kept message body: from moat_bodies (retention `all`) or moat_quarantine (quarantined and held mail). */
export interface StoredBody {
  raw: Buffer;
  bucket: 'bodies' | 'quarantine';
  /** When a body of delivered mail stops being kept; undefined for the quarantine's (kept until released or deleted). */
  expiresAtMs?: number;
}

export interface BodyStoreUsage {
  bytes: number;
  messages: number;
}

/** Message bodies kept centrally (JetStream Object Store buckets moat_bodies and moat_quarantine, object name = message id). */
export abstract class BodyStoreRepository {
  /** The body, whichever bucket holds it; undefined when neither does. */
  abstract find(messageId: string): Promise<StoredBody | undefined>;
  /** Deletes the kept bodies of delivered mail that expire at or before NOWMS; returns how many. */
  abstract sweep(nowMs: number): Promise<number>;
  /** Bytes and messages held in both buckets. */
  abstract usage(): Promise<BodyStoreUsage>;
}
