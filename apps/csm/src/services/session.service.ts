import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CsmConfig } from '../csm-config.js';
import { SessionRepository } from '../repositories/session.repository.js';
import { randomSecret } from '../util/secrets.js';

export interface Session {
  token: string;
  /** When the session ends if it is not used again (the idle timeout, capped by the absolute expiry). */
  expiresAt: number;
}

/**
 * Administrator sessions: random bearer tokens, stored (under their SHA-256, never the token itself) where every
 * CSM replica sees them. A session ends after MOAT_SESSION_IDLE_SECONDS without a call (default 30 min) and in any
 * case MOAT_SESSION_MAX_SECONDS after login (default 12 h). A use is written back at most every tenth of the
 * idle timeout, so a session may end up to that much before a full idle period has passed.
 *
 * Bearer tokens are CSRF-safe: a browser never attaches an Authorization header on its own, and another site's
 * page cannot set one on a request to the CSM without a CORS preflight, which the CSM does not grant.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly store: SessionRepository,
    private readonly config: CsmConfig,
  ) {}

  async open(username: string): Promise<Session> {
    const token = randomSecret();
    const now = Date.now();
    await this.store.putSession(sessionId(token), { username, createdAtMs: now, lastSeenMs: now });
    return { token, expiresAt: Math.min(now + this.config.sessionIdleMs, now + this.config.sessionMaxMs) };
  }

  /** The administrator the token's session belongs to, recording the use; undefined when unknown or expired. */
  async resolve(token: string): Promise<string | undefined> {
    const id = sessionId(token);
    const session = await this.store.getSession(id);
    if (!session) return undefined;
    const now = Date.now();
    if (now - session.lastSeenMs >= this.config.sessionIdleMs || now - session.createdAtMs >= this.config.sessionMaxMs) {
      await this.store.deleteSession(id);
      return undefined;
    }
    if (now - session.lastSeenMs >= this.config.sessionIdleMs / 10) await this.store.putSession(id, { ...session, lastSeenMs: now });
    return session.username;
  }

  async end(token: string): Promise<void> {
    await this.store.deleteSession(sessionId(token));
  }

  /** Ends every session of USERNAME (a password changed or reset, an account removed), except the one of token KEEP. */
  async endAll(username: string, keep?: string): Promise<void> {
    await this.store.deleteSessionsOf(username, keep === undefined ? undefined : sessionId(keep));
  }
}

/** The key a session is stored under: whoever can read the store still cannot use the sessions in it. */
function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
