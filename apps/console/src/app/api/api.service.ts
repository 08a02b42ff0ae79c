import { Injectable, inject } from '@angular/core';
import { map, type Observable } from 'rxjs';
import type {
  DirectorySettingsInput,
  DirectorySyncReport,
  DirectoryView,
  AccountsImportResult,
  AccountsView,
  AuthBlock,
  AdminCreated,
  ApprovalDecision,
  AuditPage,
  AuditVerification,
  BulkAction,
  Breakdown,
  BreakdownBy,
  BulkResult,
  CertificateView,
  ClassifierInfo,
  ClusterStatus,
  CsrResult,
  Dashboard,
  DkimDnsCheck,
  DkimDomain,
  DkimKey,
  ExportFormat,
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
import { CsmClient, type QueryOf } from './csm-client';
import type { AdminListDto, AuthBlocksDto, HoldsDto, ListEditResultDto, PendingApprovalsDto, PolicyDefaultsDto, TotpSetupDto } from './generated/csm-api';

/** The CSM's REST API as the pages call it (same origin, under /api), on the client typed by its OpenAPI document. */
@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly csm = inject(CsmClient);

  login(credentials: LoginRequest): Observable<LoginResponse> {
    return this.csm.post('/api/auth/login', { body: credentials });
  }

  logout(): Observable<void> {
    return this.csm.post('/api/auth/logout');
  }

  me(): Observable<Me> {
    return this.csm.get('/api/auth/me');
  }

  changePassword(currentPassword: string, password: string): Observable<void> {
    return this.csm.post('/api/auth/password', { body: { currentPassword, password } });
  }

  /** Starts enabling TOTP: the otpauth:// URI for an authenticator app. */
  totpSetup(): Observable<TotpSetupDto> {
    return this.csm.post('/api/auth/totp/setup');
  }

  totpConfirm(code: string): Observable<void> {
    return this.csm.post('/api/auth/totp/confirm', { body: { code } });
  }

  admins(): Observable<AdminListDto> {
    return this.csm.get('/api/admins');
  }

  addAdmin(admin: NewAdmin): Observable<AdminCreated> {
    return this.csm.post('/api/admins', { body: admin });
  }

  removeAdmin(username: string): Observable<void> {
    return this.csm.delete('/api/admins/{name}', { path: { name: username } });
  }

  status(): Observable<ClusterStatus> {
    return this.csm.get('/api/status');
  }

  /** The classifier models the CSM keeps (policy:read). */
  classifier(): Observable<ClassifierInfo> {
    return this.csm.get('/api/classifier');
  }

  /** The dashboard's counts and tops; `query` is `GET /api/dashboard`'s (from, to, bucket). */
  dashboard(query: QueryOf<'/api/dashboard'>): Observable<Dashboard> {
    return this.csm.get('/api/dashboard', { query });
  }

  /** Message counts broken down; `query` is `GET /api/stats`'s (by, direction, from, to). */
  breakdown(query: QueryOf<'/api/stats'> & { by: BreakdownBy }): Observable<Breakdown> {
    return this.csm.get('/api/stats', { query }).pipe(map((answer) => ('by' in answer ? answer : breakdownExpected())));
  }

  /** The same breakdown as a file. */
  exportBreakdown(query: QueryOf<'/api/stats'>, format: ExportFormat): Observable<Blob> {
    return this.csm.download('/api/stats', { query: { ...query, format } });
  }

  /** One page of the mail search; `query` is `GET /api/mail`'s (fields, match, from, to, limit, cursor). */
  searchMail(query: QueryOf<'/api/mail'>): Observable<MailPage> {
    return this.csm.get('/api/mail', { query });
  }

  message(id: string): Observable<MailDetail> {
    return this.csm.get('/api/mail/{id}', { path: { id } });
  }

  /** The kept message's parts (audited by the CSM); 404 says why it is not kept. */
  messageBodyView(id: string): Observable<MessageBodyView> {
    return this.csm.get('/api/mail/{id}/body/view', { path: { id } });
  }

  /** The kept message as received (.eml), audited by the CSM. */
  messageBody(id: string): Observable<Blob> {
    return this.csm.download('/api/mail/{id}/body', { path: { id } });
  }

  /** An action on messages; `to` is the address of a forward. */
  mailAction(action: BulkAction, ids: string[], to?: string): Observable<BulkResult> {
    return this.csm.post('/api/mail/actions', { body: { action, ids, ...(to === undefined ? {} : { to }) } });
  }

  /** Every message the search matches, as a file. */
  exportMail(query: QueryOf<'/api/mail'>, format: ExportFormat): Observable<Blob> {
    return this.csm.download('/api/mail/export', { query: { ...query, format } });
  }

  /** One page of the audit log; `query` is `GET /api/audit`'s (actor, action, target, from, to, limit, cursor). */
  audit(query: QueryOf<'/api/audit'>): Observable<AuditPage> {
    return this.csm.get('/api/audit', { query });
  }

  /** One page of the security log; `query` is `GET /api/security-log`'s (kind, sender, ip, text, from, to, limit, cursor). */
  securityLog(query: QueryOf<'/api/security-log'>): Observable<SecurityLogPage> {
    return this.csm.get('/api/security-log', { query });
  }

  verifyAudit(): Observable<AuditVerification> {
    return this.csm.get('/api/audit/verify');
  }

  /** The document an empty policy becomes: every default. */
  policyDefaults(): Observable<PolicyDefaultsDto> {
    return this.csm.get('/api/policy/defaults');
  }

  /** What publishing POLICY would change; 400 with `problems` when it is invalid. */
  checkPolicy(policy: PolicyJson): Observable<PolicyCheck> {
    return this.csm.post('/api/policy/check', { body: { policy } });
  }

  policyVersions(): Observable<PolicyVersionInfo[]> {
    return this.csm.get('/api/policy/versions');
  }

  policyVersion(version: number): Observable<PolicyVersionDetail> {
    return this.csm.get('/api/policy/versions/{version}', { path: { version: String(version) } });
  }

  policyDiff(from: number, to: number): Observable<PolicyDiff> {
    return this.csm.get('/api/policy/diff', { query: { from, to } });
  }

  /** VERSION's document as a new version; 409 as putPolicy. */
  rollbackPolicy(version: number, comment: string, confirm: boolean): Observable<VersionedPolicy> {
    return this.csm.post('/api/policy/rollback', { body: { version, comment, confirm } });
  }

  certificates(): Observable<CertificateView[]> {
    return this.csm.get('/api/certificates');
  }

  /** A new key (kept encrypted by the CSM) and its CSR. */
  createCsr(domain: string, keyType: CsrResult['keyType']): Observable<CsrResult> {
    return this.csm.post('/api/certificates/csr', { body: { domain, keyType } });
  }

  /** The certificate issued for the CSR; the CSM checks it against the kept key. */
  uploadCertificate(domain: string, certificate: string, chain: string): Observable<CertificateView> {
    return this.csm.put('/api/certificates/{domain}', { path: { domain }, body: { certificate, chain } });
  }

  /** Mail held by delivery hold windows, per domain across nodes. */
  holds(): Observable<HoldsDto> {
    return this.csm.get('/api/holds');
  }

  /** Ends the domain's open hold window on every node, which delivers its held mail now. */
  releaseHold(domain: string): Observable<HoldReleaseResult> {
    return this.csm.post('/api/holds/{domain}/release', { path: { domain } });
  }

  /** One page of what the quarantine holds now; `query` is `GET /api/quarantine`'s (reason, rcpt, from, to, limit, cursor). */
  quarantine(query: QueryOf<'/api/quarantine'>): Observable<QuarantinePage> {
    return this.csm.get('/api/quarantine', { query });
  }

  policy(): Observable<VersionedPolicy> {
    return this.csm.get('/api/policy');
  }

  /**
   * Publishes POLICY as a new version (secrets left out by GET are kept by the CSM); 409 with `problems` when it
   * stops mail, unless CONFIRM.
   */
  putPolicy(policy: PolicyJson, comment: string, confirm = false): Observable<VersionedPolicy> {
    return this.csm.put('/api/policy', { body: { policy, comment, ...(confirm ? { confirm } : {}) } });
  }

  lists(): Observable<ListsView> {
    return this.csm.get('/api/lists');
  }

  editList(edit: ListEdit): Observable<ListEditResultDto> {
    return this.csm.post('/api/lists', { body: edit });
  }

  accounts(): Observable<AccountsView> {
    return this.csm.get('/api/accounts');
  }

  importAccounts(csv: string, replace: boolean): Observable<AccountsImportResult> {
    return this.csm.post('/api/accounts/import', { body: { csv, replace } });
  }

  /** Addresses blocked from SMTP AUTH on every node, active first. */
  authBlocks(): Observable<AuthBlocksDto> {
    return this.csm.get('/api/auth-blocks');
  }

  /** Blocks an address on every node for FORSECONDS (undefined: permanent). */
  addAuthBlock(ip: string, forSeconds: number | undefined, reason: string): Observable<AuthBlock> {
    return this.csm.post('/api/auth-blocks', { body: { ip, forSeconds, reason: reason || undefined } });
  }

  /** Unblocks an address on every node at once. */
  removeAuthBlock(ip: string): Observable<AuthBlock> {
    return this.csm.delete('/api/auth-blocks/{ip}', { path: { ip } });
  }

  /** The tenant's directory settings and last sync. */
  directory(): Observable<DirectoryView> {
    return this.csm.get('/api/directory');
  }

  saveDirectory(settings: DirectorySettingsInput): Observable<DirectoryView> {
    return this.csm.put('/api/directory', { body: settings });
  }

  /** Syncs the directory now; DRYRUN only reports what would change. */
  syncDirectory(dryRun: boolean): Observable<DirectorySyncReport> {
    return this.csm.post('/api/directory/sync', { body: { dryRun } });
  }

  /** The tenants on the fleet (super admins, F18). */
  tenants(): Observable<{ tenants: Tenant[] }> {
    return this.csm.get('/api/tenants');
  }

  /** Adds a tenant with its first policy (DOMAINS, each delivered to DOWNSTREAM). */
  addTenant(tenant: NewTenant): Observable<Tenant> {
    return this.csm.post('/api/tenants', { body: tenant });
  }

  /** Removes a tenant; refused (409) while it has domains or administrators. */
  removeTenant(id: string): Observable<unknown> {
    return this.csm.delete('/api/tenants/{id}', { path: { id } });
  }

  /** Outbound mail held for an approver, not yet decided (F7). */
  approvals(): Observable<PendingApprovalsDto> {
    return this.csm.get('/api/approvals');
  }

  /** Approve: the held message is delivered. */
  approve(id: string): Observable<ApprovalDecision> {
    return this.csm.post('/api/approvals/{id}/approve', { path: { id } });
  }

  /** Reject: the sender is told (with REASON) and the message deleted. */
  reject(id: string, reason: string): Observable<ApprovalDecision> {
    return this.csm.post('/api/approvals/{id}/reject', { path: { id }, body: { reason } });
  }

  /** The DKIM keys of every sending domain, with the TXT records to publish. */
  dkimDomains(): Observable<DkimDomain[]> {
    return this.csm.get('/api/dkim');
  }

  /** A new DKIM key for DOMAIN; it signs at once unless `active` is false. */
  generateDkimKey(domain: string, selector: string, algorithm: DkimKey['algorithm']): Observable<DkimDomain> {
    return this.csm.post('/api/dkim/{domain}/keys', { path: { domain }, body: { algorithm, ...(selector ? { selector } : {}) } });
  }

  /** Rotation: SELECTOR signs DOMAIN's mail from now on. */
  activateDkimKey(domain: string, selector: string): Observable<DkimDomain> {
    return this.csm.post('/api/dkim/{domain}/active', { path: { domain }, body: { selector } });
  }

  deleteDkimKey(domain: string, selector: string): Observable<void> {
    return this.csm.delete('/api/dkim/{domain}/keys/{selector}', { path: { domain, selector } });
  }

  /** What DNS publishes for DOMAIN's DKIM keys, SPF and DMARC, checked by the CSM. */
  dkimDnsCheck(domain: string): Observable<DkimDnsCheck> {
    return this.csm.get('/api/dkim/{domain}/dns-check', { path: { domain } });
  }
}

/** GET /api/stats with `by` answers a breakdown; the totals in its place are a CSM fault. */
function breakdownExpected(): never {
  throw new Error('the CSM answered totals to a breakdown request');
}
