import { Injectable, computed, signal } from '@angular/core';
import type { LoginResponse } from '../api/api.types';

interface StoredSession {
  token: string;
  expiresAt: number;
}

const STORAGE_KEY = 'moat.session';

/** The admin's bearer token, kept in sessionStorage so it ends with the browser tab. */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly session = signal<StoredSession | null>(readStored());

  /** The token while it is unexpired, else null. */
  readonly token = computed(() => {
    const s = this.session();
    return s && s.expiresAt > Date.now() ? s.token : null;
  });

  readonly loggedIn = computed(() => this.token() !== null);

  start(login: LoginResponse): void {
    const s: StoredSession = { token: login.token, expiresAt: login.expiresAt };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    this.session.set(s);
  }

  end(): void {
    sessionStorage.removeItem(STORAGE_KEY);
    this.session.set(null);
  }
}

function readStored(): StoredSession | null {
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isStoredSession(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

function isStoredSession(v: unknown): v is StoredSession {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['token'] === 'string' && typeof o['expiresAt'] === 'number';
}
