// The console's names for the CSM's shapes. Every shape is generated from the CSM's OpenAPI document
// (apps/csm/openapi.json → ./generated/csm-api.ts, scripts/gen-api-types.mjs); this file only names them and adds the
// console's own lists (display order). Times are ms since the epoch.
import type { QueryOf } from './csm-client';
import {
  adminViewDtoRoleValues,
  breakdownDtoByValues,
  bucketCountDtoCategoryValues,
  heldRowDtoReasonValues,
  listEditDtoKindValues,
  mailRowDtoActionValues,
  type AccountsImportResultDto,
  type AccountsViewDto,
  type AdminCreatedDto,
  type AdminViewDto,
  type ApprovalDecisionDto,
  type AuditEntryDto,
  type AuditPageDto,
  type AuditVerificationDto,
  type AuthBlockDto,
  type NewTenantDto,
  type TenantViewDto,
  type DirectorySettingsDto,
  type DirectorySettingsViewDto,
  type DirectorySyncReportDto,
  type DirectoryViewDto,
  type BreakdownDto,
  type BulkActionDto,
  type BucketCountDto,
  type BulkResultDto,
  type CertificateViewDto,
  type ClassifierStatusDto,
  type CsrResultDto,
  type DashboardDto,
  type DashboardTopsDto,
  type DkimDnsCheckDto,
  type DkimDomainViewDto,
  type DkimKeyViewDto,
  type HeldDomainDto,
  type HeldRowDto,
  type HoldReleaseResultDto,
  type ListEditDto,
  type ListsDto,
  type ListsViewDto,
  type LoginDto,
  type MailDetailDto,
  type MailListDto,
  type MailRowDto,
  type MeDto,
  type MessageViewDto,
  type ModelRecordDto,
  type NewAdminDto,
  type NodeStatusDto,
  type PendingApprovalDto,
  type PolicyChangeDto,
  type PolicyCheckDto,
  type PolicyDiffDto,
  type PolicyDto,
  type PolicyVersionDetailDto,
  type PolicyVersionDto,
  type QuarantinePageDto,
  type SecurityFindingDto,
  type SecurityLogPageDto,
  type SessionDto,
  type StatusDto,
} from './generated/csm-api';

export type LoginRequest = LoginDto;
export type LoginResponse = SessionDto;

/** An administrator as GET /api/admins lists it. */
export type Admin = AdminViewDto;
/** GET /api/auth/me: the signed-in account and what its role may do (`policy:write`, `admins:read`, ...). */
export type Me = MeDto;
/** What a role may do (apps/csm/src/http/permissions.ts). */
export type Permission = Me['permissions'][number];
export type NewAdmin = NewAdminDto;
export type AdminCreated = AdminCreatedDto;

/** Roles of administrators, from most to least powerful. */
export const ROLES = adminViewDtoRoleValues;
export type Role = Admin['role'];

/** Verdict actions as named by the policy and `moat scan`; `unspecified` for an event that carried none. */
export const ACTIONS = mailRowDtoActionValues;
export type Action = MailRow['action'];

/** `unspecified` for a transaction refused before its direction was known (at connect, say). */
export type Direction = MailRow['direction'];

export type NodeStatus = NodeStatusDto;
export type ClusterStatus = StatusDto;

/** `GET /api/mail/:id/body/view`: the kept message's parts as text; the HTML part is its source, never rendered by the CSM. */
export type MessageBodyView = MessageViewDto;

/** The dashboard's categories (F13), each message in exactly one; also a mail search field (`category`). */
export const CATEGORIES = bucketCountDtoCategoryValues;
export type Category = BucketCountDto['category'];

/** GET /api/dashboard: a range's counts per bucket, direction and category, and its tops. */
export type Dashboard = DashboardDto;

/** The dashboard's top lists in the order the page shows them; each key is a value of one mail search field. */
export const TOPS = ['senders', 'recipients', 'spamRecipients', 'viruses', 'symbols', 'clientIps'] as const satisfies readonly (keyof DashboardTopsDto)[];
export type Top = (typeof TOPS)[number];

/** What GET /api/stats?by= breaks counts down by. */
export const BREAKDOWNS = breakdownDtoByValues;
export type BreakdownBy = BreakdownDto['by'];
export type Breakdown = BreakdownDto;

/** A classifier model the CSM keeps (GET /api/classifier). */
export type ModelInfo = ModelRecordDto;
export type ClassifierInfo = ClassifierStatusDto;

/** `GET /api/mail` parameters that test one field each, in the order the search form offers them. */
export const MAIL_FIELDS = ['sender', 'rcpt', 'subject', 'ip', 'verdict', 'direction', 'attachment', 'symbol', 'node', 'delivery', 'body', 'category', 'virus'] as const satisfies readonly (keyof QueryOf<'/api/mail'>)[];
export type MailField = (typeof MAIL_FIELDS)[number];

/** One message as the mail search lists it. */
export type MailRow = MailRowDto;
export type MailPage = MailListDto;
/** `GET /api/mail/:id`: the row (node by id) with its envelope, headers, findings, deliveries and administrator actions. */
export type MailDetail = MailDetailDto;

export type BulkAction = BulkActionDto['action'];
export type BulkResult = BulkResultDto;

export type ExportFormat = NonNullable<QueryOf<'/api/mail/export'>['format']>;

/** An entry of the audit chain, newest first in `GET /api/audit`. */
export type AuditEntry = AuditEntryDto;
export type AuditPage = AuditPageDto;
export type AuditVerification = AuditVerificationDto;

/** A symbol that fired on a message: one row of `GET /api/security-log`, newest message first. */
export type SecurityFinding = SecurityFindingDto;
export type SecurityLogPage = SecurityLogPageDto;

/** GET /api/certificates: a domain's certificate as the nodes serve it by SNI (never its key). */
export type CertificateView = CertificateViewDto;
export type CsrResult = CsrResultDto;

/** GET /api/holds: one domain's mail held by delivery hold windows (F9), summed across nodes. */
export type HeldDomain = HeldDomainDto;
export type HoldReleaseResult = HoldReleaseResultDto;

/** Why a message is in the quarantine (`GET /api/quarantine`). */
export const QUARANTINE_REASONS = heldRowDtoReasonValues;
export type QuarantineReason = HeldRow['reason'];
export type HeldRow = HeldRowDto;
export type QuarantinePage = QuarantinePageDto;

export const LIST_KINDS = listEditDtoKindValues;
export type ListKind = ListEdit['kind'];
export type PolicyLists = ListsDto;
/** `GET /api/lists`: the global lists and each domain's. */
export type ListsView = ListsViewDto;
/** `POST /api/lists`: one entry (value) or a pasted list (values, one entry a line). */
export type ListEdit = ListEditDto;

/** `GET /api/accounts`: valid recipients per domain and the accounts that may submit mail (never a password hash). */
export type AccountsView = AccountsViewDto;
export type AccountsImportResult = AccountsImportResultDto;

/** `GET /api/policy`: the version and the (secret-free) document. */
export type VersionedPolicy = PolicyDto;
/** A policy document as JSON (libs/shared/policy's schema; the console edits it without knowing every section). */
export type PolicyJson = PolicyDto['policy'];
export type PolicyVersionInfo = PolicyVersionDto;
export type PolicyVersionDetail = PolicyVersionDetailDto;
/** One difference, at a path such as `thresholds.tag` or `domains[example.test].downstream.host`. */
export type PolicyChange = PolicyChangeDto;
export type PolicyCheck = PolicyCheckDto;
export type PolicyDiff = PolicyDiffDto;

/** GET /api/auth-blocks: one address blocked from SMTP AUTH on every node (F6). */
export type AuthBlock = AuthBlockDto;

/** GET /api/tenants: one tenant on the fleet (F18). */
export type Tenant = TenantViewDto;
/** POST /api/tenants. */
export type NewTenant = NewTenantDto;

/** GET /api/directory: the tenant's LDAP / Active Directory settings (never the bind password) and last sync. */
export type DirectorySettings = DirectorySettingsViewDto;
export type DirectoryView = DirectoryViewDto;
/** POST /api/directory/sync: what a sync changed, or a dry run would change. */
export type DirectorySyncReport = DirectorySyncReportDto;
/** PUT /api/directory: the settings (filters and attribute names absent: the preset's); bindPassword only when it changes. */
export type DirectorySettingsInput = DirectorySettingsDto;
/** The fields a preset fills when they are not sent. */
export type DirectoryPresetFields = 'attributes' | 'userFilter' | 'groupFilter' | 'groupNameAttribute' | 'groupMemberAttribute';

/** GET /api/approvals (F7): a held message with why it was held (`APPROVAL_RULE <rule>: ...`, `DLP_<KIND> ...`). */
export type PendingApproval = PendingApprovalDto;
export type ApprovalDecision = ApprovalDecisionDto;

/** One DKIM key of a sending domain (GET /api/dkim). */
export type DkimKey = DkimKeyViewDto;
export type DkimDomain = DkimDomainViewDto;
export type DkimDnsCheck = DkimDnsCheckDto;
