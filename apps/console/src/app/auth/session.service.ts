import { Injectable, computed, signal } from '@angular/core';

const STORAGE_KEY = 'moat.token';

/**
 * The admin's bearer token, kept in sessionStorage so it ends with the browser tab. The CSM's timeout slides
 * with use, so the console does not expire the token itself: a 401 ends the session (auth interceptor).
 */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly stored = signal<string | null>(sessionStorage.getItem(STORAGE_KEY));

  readonly token = this.stored.asReadonly();
  readonly loggedIn = computed(() => this.stored() !== null);

  start(token: string): void {
    sessionStorage.setItem(STORAGE_KEY, token);
    this.stored.set(token);
  }

  end(): void {
    sessionStorage.removeItem(STORAGE_KEY);
    this.stored.set(null);
  }
}
