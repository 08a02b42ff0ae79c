import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type {
  AuditPage,
  AuditVerification,
  BulkAction,
  BulkResult,
  ClusterStatus,
  ExportFormat,
  LoginRequest,
  LoginResponse,
  MailDetail,
  MailPage,
  Stats,
} from './api.types';

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

  /** One page of the mail search; `params` are `GET /api/mail`'s (fields, match, from, to, limit, cursor). */
  searchMail(params: Record<string, string>): Observable<MailPage> {
    return this.http.get<MailPage>('/api/mail', { params });
  }

  message(id: string): Observable<MailDetail> {
    return this.http.get<MailDetail>(`/api/mail/${encodeURIComponent(id)}`);
  }

  mailAction(action: BulkAction, ids: string[]): Observable<BulkResult> {
    return this.http.post<BulkResult>('/api/mail/actions', { action, ids });
  }

  /** Every message the search matches, as a file. */
  exportMail(params: Record<string, string>, format: ExportFormat): Observable<Blob> {
    return this.http.get('/api/mail/export', { params: { ...params, format }, responseType: 'blob' });
  }

  /** One page of the audit log; `params` are `GET /api/audit`'s (actor, action, target, from, to, limit, cursor). */
  audit(params: Record<string, string>): Observable<AuditPage> {
    return this.http.get<AuditPage>('/api/audit', { params });
  }

  verifyAudit(): Observable<AuditVerification> {
    return this.http.get<AuditVerification>('/api/audit/verify');
  }
}
