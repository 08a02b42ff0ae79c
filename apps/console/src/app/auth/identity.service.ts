import { Injectable, inject, signal } from '@angular/core';
import { type Observable, tap } from 'rxjs';
import { ApiService } from '../api/api.service';
import type { Me, Permission } from '../api/api.types';

/** The signed-in account and its permissions (GET /api/auth/me), which decide the pages the console offers. */
@Injectable({ providedIn: 'root' })
export class IdentityService {
  private readonly api = inject(ApiService);
  private readonly current = signal<Me | null>(null);

  readonly me = this.current.asReadonly();

  load(): Observable<Me> {
    return this.api.me().pipe(tap((me) => this.current.set(me)));
  }

  can(permission: Permission): boolean {
    return this.current()?.permissions.includes(permission) ?? false;
  }

  clear(): void {
    this.current.set(null);
  }
}
