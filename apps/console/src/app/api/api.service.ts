import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { ClusterStatus, LoginRequest, LoginResponse, Stats } from './api.types';

/** Typed client for the CSM's REST API (same origin, under /api). */
@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  login(credentials: LoginRequest): Observable<LoginResponse> {
    return this.http.post<LoginResponse>('/api/auth/login', credentials);
  }

  status(): Observable<ClusterStatus> {
    return this.http.get<ClusterStatus>('/api/status');
  }

  /** Message counts received in [fromMs, toMs]. */
  stats(fromMs: number, toMs: number): Observable<Stats> {
    return this.http.get<Stats>('/api/stats', { params: { from: fromMs, to: toMs } });
  }
}
