import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type {
  AccountsImportResult,
  AccountsView,
  AuthBlock,
  Admin,
  AdminCreated,
  ApprovalDecision,
  AuditPage,
  AuditVerification,
  BulkAction,
  Breakdown,
  BulkResult,
  CertificateView,
  ClassifierInfo,
  ClusterStatus,
  CsrResult,
  Dashboard,
  DkimDnsCheck,
  DkimDomain,
  ExportFormat,
  HeldDomain,
  HoldReleaseResult,
  ListEdit,
  ListsView,
  LoginRequest,
  LoginResponse,
  MailDetail,
  MailPage,
  MessageBodyView,
  Me,
  NewAdmin,
  PendingApproval,
  PolicyCheck,
  PolicyDiff,
  PolicyJson,
  PolicyVersionDetail,
  PolicyVersionInfo,
  QuarantinePage,
  SecurityLogPage,
  VersionedPolicy,
  NewTenant,
  Tenant,
} from './api.types';

/** Typed client for the CSM's REST API (same origin, under /api). */
@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  login(credentials: LoginRequest): Observable<LoginResponse> {
    return this.http.post<LoginResponse>('/api/auth/login', credentials);
  }

  logout(): Observable<void> {
    return this.http.post<void>('/api/auth/logout', null);
  }

  me(): Observable<Me> {
    return this.http.get<Me>('/api/auth/me');
  }

  changePassword(currentPassword: string, password: string): Observable<void> {
    return this.http.post<void>('/api/auth/password', { currentPassword, password });
  }

  /** Starts enabling TOTP: the otpauth:// URI for an authenticator app. */
  totpSetup(): Observable<{ otpauthUri: string }> {
    return this.http.post<{ otpauthUri: string }>('/api/auth/totp/setup', null);
  }

  totpConfirm(code: string): Observable<void> {
    return this.http.post<void>('/api/auth/totp/confirm', { code });
  }

  admins(): Observable<{ admins: Admin[] }> {
    return this.http.get<{ admins: Admin[] }>('/api/admins');
  }

  addAdmin(admin: NewAdmin): Observable<AdminCreated> {
    return this.http.post<AdminCreated>('/api/admins', admin);
  }

  removeAdmin(username: string): Observable<void> {
    return this.http.delete<void>(`/api/admins/${encodeURIComponent(username)}`);
  }

  status(): Observable<ClusterStatus> {
    return this.http.get<ClusterStatus>('/api/status');
  }

  /** The classifier models the CSM keeps (policy:read). */
  classifier(): Observable<ClassifierInfo> {
    return this.http.get<ClassifierInfo>('/api/classifier');
  }

  /** The dashboard's counts and tops; `params` are `GET /api/dashboard`'s (from, to, bucket). */
  dashboard(params: Record<string, string>): Observable<Dashboard> {
    return this.http.get<Dashboard>('/api/dashboard', { params });
  }

  /** Message counts broken down; `params` are `GET /api/stats`'s (by, direction, from, to). */
  breakdown(params: Record<string, string>): Observable<Breakdown> {
    return this.http.get<Breakdown>('/api/stats', { params });
  }

  /** The same breakdown as a file. */
  exportBreakdown(params: Record<string, string>, format: ExportFormat): Observable<Blob> {
    return this.http.get('/api/stats', { params: { ...params, format }, responseType: 'blob' });
  }

  /** One page of the mail search; `params` are `GET /api/mail`'s (fields, match, from, to, limit, cursor). */
  searchMail(params: Record<string, string>): Observable<MailPage> {
    return this.http.get<MailPage>('/api/mail', { params });
  }

  message(id: string): Observable<MailDetail> {
    return this.http.get<MailDetail>(`/api/mail/${encodeURIComponent(id)}`);
  }

  /** The kept message's parts (audited by the CSM); 404 says why it is not kept. */
  messageBodyView(id: string): Observable<MessageBodyView> {
    return this.http.get<MessageBodyView>(`/api/mail/${encodeURIComponent(id)}/body/view`);
  }

  /** The kept message as received (.eml), audited by the CSM. */
  messageBody(id: string): Observable<Blob> {
    return this.http.get(`/api/mail/${encodeURIComponent(id)}/body`, { responseType: 'blob' });
  }

  /** An action on messages; `to` is the address of a forward. */
  mailAction(action: BulkAction, ids: string[], to?: string): Observable<BulkResult> {
    return this.http.post<BulkResult>('/api/mail/actions', { action, ids, ...(to === undefined ? {} : { to }) });
  }

  /** Every message the search matches, as a file. */
  exportMail(params: Record<string, string>, format: ExportFormat): Observable<Blob> {
    return this.http.get('/api/mail/export', { params: { ...params, format }, responseType: 'blob' });
  }

  /** One page of the audit log; `params` are `GET /api/audit`'s (actor, action, target, from, to, limit, cursor). */
  audit(params: Record<string, string>): Observable<AuditPage> {
    return this.http.get<AuditPage>('/api/audit', { params });
  }

  /** One page of the security log; `params` are `GET /api/security-log`'s (kind, from, to, limit, cursor). */
  securityLog(params: Record<string, string>): Observable<SecurityLogPage> {
    return this.http.get<SecurityLogPage>('/api/security-log', { params });
  }

  verifyAudit(): Observable<AuditVerification> {
    return this.http.get<AuditVerification>('/api/audit/verify');
  }

  /** The document an empty policy becomes: every default. */
  policyDefaults(): Observable<{ policy: PolicyJson }> {
    return this.http.get<{ policy: PolicyJson }>('/api/policy/defaults');
  }

  /** What publishing POLICY would change; 400 with `problems` when it is invalid. */
  checkPolicy(policy: PolicyJson): Observable<PolicyCheck> {
    return this.http.post<PolicyCheck>('/api/policy/check', { policy });
  }

  policyVersions(): Observable<PolicyVersionInfo[]> {
    return this.http.get<PolicyVersionInfo[]>('/api/policy/versions');
  }

  policyVersion(version: number): Observable<PolicyVersionDetail> {
    return this.http.get<PolicyVersionDetail>(`/api/policy/versions/${version}`);
  }

  policyDiff(from: number, to: number): Observable<PolicyDiff> {
    return this.http.get<PolicyDiff>('/api/policy/diff', { params: { from, to } });
  }

  /** VERSION's document as a new version; 409 as putPolicy. */
  rollbackPolicy(version: number, comment: string, confirm: boolean): Observable<VersionedPolicy> {
    return this.http.post<VersionedPolicy>('/api/policy/rollback', { version, comment, confirm });
  }

  certificates(): Observable<CertificateView[]> {
    return this.http.get<CertificateView[]>('/api/certificates');
  }

  /** A new key (kept encrypted by the CSM) and its CSR. */
  createCsr(domain: string, keyType: 'rsa' | 'ecdsa'): Observable<CsrResult> {
    return this.http.post<CsrResult>('/api/certificates/csr', { domain, keyType });
  }

  /** The certificate issued for the CSR; the CSM checks it against the kept key. */
  uploadCertificate(domain: string, certificate: string, chain: string): Observable<CertificateView> {
    return this.http.put<CertificateView>(`/api/certificates/${encodeURIComponent(domain)}`, { certificate, chain });
  }

  /** Mail held by delivery hold windows, per domain across nodes. */
  holds(): Observable<{ domains: HeldDomain[] }> {
    return this.http.get<{ domains: HeldDomain[] }>('/api/holds');
  }

  /** Ends the domain's open hold window on every node, which delivers its held mail now. */
  releaseHold(domain: string): Observable<HoldReleaseResult> {
    return this.http.post<HoldReleaseResult>(`/api/holds/${encodeURIComponent(domain)}/release`, {});
  }

  /** One page of what the quarantine holds now; `params` are `GET /api/quarantine`'s (reason, rcpt, from, to, limit, cursor). */
  quarantine(params: Record<string, string>): Observable<QuarantinePage> {
    return this.http.get<QuarantinePage>('/api/quarantine', { params });
  }

  policy(): Observable<VersionedPolicy> {
    return this.http.get<VersionedPolicy>('/api/policy');
  }

  /**
   * Publishes POLICY as a new version (secrets left out by GET are kept by the CSM); 409 with `problems` when it
   * stops mail, unless CONFIRM.
   */
  putPolicy(policy: PolicyJson, comment: string, confirm = false): Observable<VersionedPolicy> {
    return this.http.put<VersionedPolicy>('/api/policy', { policy, comment, ...(confirm ? { confirm } : {}) });
  }

  lists(): Observable<ListsView> {
    return this.http.get<ListsView>('/api/lists');
  }

  editList(edit: ListEdit): Observable<{ version: number; values: string[] }> {
    return this.http.post<{ version: number; values: string[] }>('/api/lists', edit);
  }

  accounts(): Observable<AccountsView> {
    return this.http.get<AccountsView>('/api/accounts');
  }

  importAccounts(csv: string, replace: boolean): Observable<AccountsImportResult> {
    return this.http.post<AccountsImportResult>('/api/accounts/import', { csv, replace });
  }

  /** Addresses blocked from SMTP AUTH on every node, active first. */
  authBlocks(): Observable<{ blocks: AuthBlock[] }> {
    return this.http.get<{ blocks: AuthBlock[] }>('/api/auth-blocks');
  }

  /** Blocks an address on every node for FORSECONDS (undefined: permanent). */
  addAuthBlock(ip: string, forSeconds: number | undefined, reason: string): Observable<AuthBlock> {
    return this.http.post<AuthBlock>('/api/auth-blocks', { ip, forSeconds, reason: reason || undefined });
  }

  /** Unblocks an address on every node at once. */
  removeAuthBlock(ip: string): Observable<AuthBlock> {
    return this.http.delete<AuthBlock>(`/api/auth-blocks/${encodeURIComponent(ip)}`);
  }

  /** The tenants on the fleet (super admins, F18). */
  tenants(): Observable<{ tenants: Tenant[] }> {
    return this.http.get<{ tenants: Tenant[] }>('/api/tenants');
  }

  /** Adds a tenant with its first policy (DOMAINS, each delivered to DOWNSTREAM). */
  addTenant(tenant: NewTenant): Observable<Tenant> {
    return this.http.post<Tenant>('/api/tenants', tenant);
  }

  /** Removes a tenant; refused (409) while it has domains or administrators. */
  removeTenant(id: string): Observable<unknown> {
    return this.http.delete(`/api/tenants/${encodeURIComponent(id)}`);
  }

  /** Outbound mail held for an approver, not yet decided (F7). */
  approvals(): Observable<{ messages: PendingApproval[] }> {
    return this.http.get<{ messages: PendingApproval[] }>('/api/approvals');
  }

  /** Approve: the held message is delivered. */
  approve(id: string): Observable<ApprovalDecision> {
    return this.http.post<ApprovalDecision>(`/api/approvals/${encodeURIComponent(id)}/approve`, {});
  }

  /** Reject: the sender is told (with REASON) and the message deleted. */
  reject(id: string, reason: string): Observable<ApprovalDecision> {
    return this.http.post<ApprovalDecision>(`/api/approvals/${encodeURIComponent(id)}/reject`, { reason });
  }

  /** The DKIM keys of every sending domain, with the TXT records to publish. */
  dkimDomains(): Observable<DkimDomain[]> {
    return this.http.get<DkimDomain[]>('/api/dkim');
  }

  /** A new DKIM key for DOMAIN; it signs at once unless `active` is false. */
  generateDkimKey(domain: string, selector: string, algorithm: 'rsa' | 'ed25519'): Observable<DkimDomain> {
    return this.http.post<DkimDomain>(`/api/dkim/${encodeURIComponent(domain)}/keys`, { algorithm, ...(selector ? { selector } : {}) });
  }

  /** Rotation: SELECTOR signs DOMAIN's mail from now on. */
  activateDkimKey(domain: string, selector: string): Observable<DkimDomain> {
    return this.http.post<DkimDomain>(`/api/dkim/${encodeURIComponent(domain)}/active`, { selector });
  }

  deleteDkimKey(domain: string, selector: string): Observable<void> {
    return this.http.delete<void>(`/api/dkim/${encodeURIComponent(domain)}/keys/${encodeURIComponent(selector)}`);
  }

  /** What DNS publishes for DOMAIN's DKIM keys, SPF and DMARC, checked by the CSM. */
  dkimDnsCheck(domain: string): Observable<DkimDnsCheck> {
    return this.http.get<DkimDnsCheck>(`/api/dkim/${encodeURIComponent(domain)}/dns-check`);
  }
}
