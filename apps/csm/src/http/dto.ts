import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ROLES } from '../repositories/config.repository.js';
import { ACTION_NAMES, MAIL_CATEGORIES, MAIL_FIELDS, STATS_BREAKDOWNS } from '../repositories/event-store.repository.js';
import { PERMISSIONS } from './permissions.js';

// Shapes of the REST API (docs/architecture.md) for the OpenAPI document. The services return these shapes;
// the classes only describe them.

const DIRECTIONS = ['inbound', 'outbound', 'unspecified'];

export class ErrorDto {
  @ApiProperty() error!: string;
  @ApiPropertyOptional({ type: [String], description: 'one line per problem: field path and message' }) problems?: string[];
}

export class HealthDto {
  @ApiProperty() ok!: boolean;
}

export class LoginDto {
  @ApiProperty({ example: 'admin' }) username!: string;
  @ApiProperty() password!: string;
  @ApiPropertyOptional({ description: 'the current 6-digit code, for an account with TOTP enabled' }) totp?: string;
}

export class AdminViewDto {
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty() tenant!: string;
  @ApiProperty({ description: 'the account may only change its password until it does' }) mustChangePassword!: boolean;
  @ApiProperty() totpEnabled!: boolean;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty() updatedAtMs!: number;
}

export class MeDto extends AdminViewDto {
  @ApiProperty({ enum: PERMISSIONS, isArray: true, description: "what the caller's role may do (http/permissions.ts)" }) permissions!: string[];
}

export class AdminListDto {
  @ApiProperty({ type: [AdminViewDto] }) admins!: AdminViewDto[];
}

export class NewAdminDto {
  @ApiProperty() username!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiPropertyOptional({ description: "default: the caller's tenant" }) tenant?: string;
  @ApiPropertyOptional({ description: 'at least 12 characters, not the name, not a common password; generated when absent' }) password?: string;
}

export class GeneratedPasswordDto {
  @ApiPropertyOptional({ description: 'the generated password, shown once' }) password?: string;
}

export class AdminCreatedDto extends GeneratedPasswordDto {
  @ApiProperty({ type: AdminViewDto }) admin!: AdminViewDto;
}

export class AdminRoleDto {
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiPropertyOptional() tenant?: string;
}

export class AdminPasswordDto {
  @ApiPropertyOptional({ description: 'the new password; generated (and returned) when absent' }) password?: string;
  @ApiPropertyOptional({ description: "required for the caller's own account" }) currentPassword?: string;
}

export class OwnPasswordDto {
  @ApiProperty() currentPassword!: string;
  @ApiProperty({ description: 'at least 12 characters, not the name, not a common password' }) password!: string;
}

export class TotpSetupDto {
  @ApiProperty({ description: 'otpauth:// URI for an authenticator app; confirm with a code from it' }) otpauthUri!: string;
}

export class TotpConfirmDto {
  @ApiProperty({ example: '123456' }) code!: string;
}

export class SessionDto {
  @ApiProperty({ description: 'bearer token for the Authorization header' }) token!: string;
  @ApiProperty({ description: 'epoch ms; each authenticated call extends it by 30 minutes' }) expiresAt!: number;
}

export class DependencyHealthDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() detail!: string;
}

export class NodeResourcesDto {
  @ApiProperty() cpuPercent!: number;
  @ApiProperty() rssBytes!: number;
  @ApiProperty() spoolMessages!: number;
  @ApiProperty() spoolBytes!: number;
  @ApiProperty() journalEvents!: number;
  @ApiProperty() activeConnections!: number;
}

export class ResolverInfoDto {
  @ApiProperty({ enum: ['configured', 'system'], description: "configured: the policy's dns.servers; system: the machine's (/etc/resolv.conf)" }) source!: string;
  @ApiProperty({ type: [String] }) servers!: string[];
  @ApiProperty({ description: 'set when sender authentication runs on the system resolver; "" otherwise' }) warning!: string;
}

export class NodeStatusDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() smtpAddress!: string;
  @ApiProperty({ description: 'the node\'s Prometheus endpoint (MOAT_METRICS_HOST/PORT), "" before it reported one' }) metricsUrl!: string;
  @ApiProperty({ description: 'heartbeat within the last 15 s' }) up!: boolean;
  @ApiProperty({ description: 'epoch ms, 0 before the first heartbeat' }) lastHeartbeatMs!: number;
  @ApiProperty() policyVersion!: number;
  @ApiProperty() softwareVersion!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) engineVersions!: Record<string, string>;
  @ApiPropertyOptional({ type: NodeResourcesDto }) resources?: NodeResourcesDto;
  @ApiPropertyOptional({ type: ResolverInfoDto, description: 'absent until a heartbeat reports it' }) resolver?: ResolverInfoDto;
  @ApiProperty({ description: 'epoch ms when an administrator revoked the node (its certificate is refused); 0 when not revoked' }) revokedAtMs!: number;
}

export class BodyStoreDto {
  @ApiProperty() bytes!: number;
  @ApiProperty() messages!: number;
}

export class StatusDto {
  @ApiProperty() policyVersion!: number;
  @ApiProperty({ type: DependencyHealthDto }) nats!: DependencyHealthDto;
  @ApiProperty({ type: DependencyHealthDto }) clickhouse!: DependencyHealthDto;
  @ApiProperty({ type: [NodeStatusDto] }) nodes!: NodeStatusDto[];
  @ApiProperty({ type: BodyStoreDto, nullable: true, description: 'kept message bodies (moat_bodies and moat_quarantine); null while NATS cannot answer' }) bodyStore!: BodyStoreDto | null;
}

export class PolicyDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the policy document (libs/shared/policy schema)' }) policy!: object;
}

export class PutPolicyDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) policy!: object;
  @ApiPropertyOptional() comment?: string;
  @ApiPropertyOptional({ description: 'publish even though the change stops mail (409 lists why otherwise)' }) confirm?: boolean;
}

/** A value of the policy document at some path: any JSON value but null. */
const POLICY_VALUE_SCHEMA = {
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object', additionalProperties: true }] } },
    { type: 'object', additionalProperties: true },
  ],
};

export class PolicyChangeDto {
  @ApiProperty({ example: 'domains[example.test].downstream.host' }) path!: string;
  @ApiProperty({ enum: ['add', 'remove', 'change'] }) op!: string;
  @ApiPropertyOptional({ ...POLICY_VALUE_SCHEMA, description: 'the value before (remove, change)' }) from?: unknown;
  @ApiPropertyOptional({ ...POLICY_VALUE_SCHEMA, description: 'the value after (add, change)' }) to?: unknown;
}

export class PolicyCheckDto {
  @ApiProperty({ description: 'the running version the changes are against' }) version!: number;
  @ApiProperty({ type: [PolicyChangeDto] }) changes!: PolicyChangeDto[];
  @ApiProperty({ type: [String], description: 'mail-stopping changes; publishing needs confirm: true' }) warnings!: string[];
}

export class PolicyDiffDto {
  @ApiProperty() from!: number;
  @ApiProperty() to!: number;
  @ApiProperty({ type: [PolicyChangeDto] }) changes!: PolicyChangeDto[];
}

export class RollbackDto {
  @ApiProperty({ description: 'the version whose document becomes current again (as a new version)' }) version!: number;
  @ApiPropertyOptional() comment?: string;
  @ApiPropertyOptional({ description: 'roll back even though it stops mail' }) confirm?: boolean;
}

export class PolicyVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty() author!: string;
  @ApiProperty() comment!: string;
}

export class PolicyVersionDetailDto extends PolicyVersionDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the document of this version (secrets shown as "kept")' }) policy!: object;
}

export class PolicyDefaultsDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the policy {} becomes: every default' }) policy!: object;
}

export class ListsDto {
  @ApiProperty() ipBlock!: string[];
  @ApiProperty() ipAllow!: string[];
  @ApiProperty() senderBlock!: string[];
  @ApiProperty() senderAllow!: string[];
}

export class DomainListsDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: ListsDto }) lists!: ListsDto;
}

export class ListsViewDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: ListsDto }) lists!: ListsDto;
  @ApiProperty({ type: [DomainListsDto] }) domains!: DomainListsDto[];
}

export class ListEditDto {
  @ApiProperty({ enum: ['add', 'remove'] }) op!: string;
  @ApiProperty({ enum: ['ip-block', 'ip-allow', 'sender-block', 'sender-allow'] }) kind!: string;
  @ApiPropertyOptional({ description: 'one entry (or values)' }) value?: string;
  @ApiPropertyOptional({ type: [String], description: 'a pasted list, one entry a line (at most 1000); a bad line is a problem naming it and nothing changes' }) values?: string[];
  @ApiPropertyOptional({ description: "a domain's own list instead of the global one" }) domain?: string;
  @ApiPropertyOptional({ description: "the policy version's comment (default: what changed)" }) comment?: string;
}

export class ListEditResultDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: [String] }) values!: string[];
}

export class CountDto {
  @ApiProperty({ enum: DIRECTIONS }) direction!: string;
  @ApiProperty({ enum: ACTION_NAMES }) action!: string;
  @ApiProperty() count!: number;
}

export class DailyCountDto extends CountDto {
  @ApiProperty({ example: '2026-01-31', description: 'UTC day' }) day!: string;
}

export class StatsDto {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [CountDto] }) byDirectionAction!: CountDto[];
  @ApiProperty({ type: [DailyCountDto] }) daily!: DailyCountDto[];
}

export class BreakdownRowDto {
  @ApiProperty({ description: 'domain, address, symbol (reason: the highest-scoring symbol, "score" without one)' }) key!: string;
  @ApiProperty({ enum: ACTION_NAMES }) action!: string;
  @ApiProperty() count!: number;
}

export class BreakdownDto {
  @ApiProperty({ enum: STATS_BREAKDOWNS }) by!: string;
  @ApiProperty({ enum: ['inbound', 'outbound', ''] }) direction!: string;
  @ApiProperty({ description: 'sum of the counts (a message with two recipient domains counts for each)' }) total!: number;
  @ApiProperty({ description: 'the rarest keys were left out (10000 rows at most)' }) truncated!: boolean;
  @ApiProperty({ type: [BreakdownRowDto], description: 'most frequent keys first' }) rows!: BreakdownRowDto[];
}

export class BucketCountDto {
  @ApiProperty({ description: 'start of the bucket (UTC), ms' }) startMs!: number;
  @ApiProperty({ enum: DIRECTIONS }) direction!: string;
  @ApiProperty({ enum: MAIL_CATEGORIES }) category!: string;
  @ApiProperty() count!: number;
}

export class CategoryCountDto {
  @ApiProperty({ enum: DIRECTIONS }) direction!: string;
  @ApiProperty({ enum: MAIL_CATEGORIES }) category!: string;
  @ApiProperty() count!: number;
}

export class TopRowDto {
  @ApiProperty({ description: 'a value of the mail search field the list is about' }) key!: string;
  @ApiProperty() count!: number;
}

export class DashboardTopsDto {
  @ApiProperty({ type: [TopRowDto], description: 'sender addresses (lower case)' }) senders!: TopRowDto[];
  @ApiProperty({ type: [TopRowDto], description: 'recipient addresses (lower case)' }) recipients!: TopRowDto[];
  @ApiProperty({ type: [TopRowDto], description: 'recipients of mail in the spam category' }) spamRecipients!: TopRowDto[];
  @ApiProperty({ type: [TopRowDto], description: 'malware names antivirus engines gave' }) viruses!: TopRowDto[];
  @ApiProperty({ type: [TopRowDto] }) symbols!: TopRowDto[];
  @ApiProperty({ type: [TopRowDto] }) clientIps!: TopRowDto[];
}

export class DashboardDto {
  @ApiProperty() fromMs!: number;
  @ApiProperty() toMs!: number;
  @ApiProperty({ enum: ['hour', 'day'] }) bucket!: string;
  @ApiProperty({ type: [Number], description: 'start of every bucket of the range, oldest first' }) bucketStarts!: number[];
  @ApiProperty({ type: [BucketCountDto], description: 'buckets without messages are left out' }) buckets!: BucketCountDto[];
  @ApiProperty({ type: [CategoryCountDto] }) totals!: CategoryCountDto[];
  @ApiProperty() total!: number;
  @ApiProperty({ type: DashboardTopsDto, description: '10 keys each, most messages first' }) tops!: DashboardTopsDto;
}

export class MailSummaryDto {
  @ApiProperty() id!: string;
  @ApiProperty() receivedAtMs!: number;
  @ApiProperty() nodeId!: string;
  @ApiProperty({ enum: DIRECTIONS }) direction!: string;
  @ApiProperty() mailFrom!: string;
  @ApiProperty({ type: [String] }) rcptTo!: string[];
  @ApiProperty() subject!: string;
  @ApiProperty() clientIp!: string;
  @ApiProperty({ enum: ACTION_NAMES }) action!: string;
  @ApiProperty() score!: number;
  @ApiProperty({ description: 'queued, delivered, deferred, bounced, quarantined, rejected, released, discarded' }) deliveryStatus!: string;
  @ApiProperty() released!: boolean;
  @ApiProperty({ type: [String] }) attachmentNames!: string[];
}

export class MailRowDto extends MailSummaryDto {
  @ApiProperty({ description: "the node's name (its id once the node is gone)" }) nodeName!: string;
}

export class MailListDto {
  @ApiProperty({ type: [MailRowDto] }) messages!: MailRowDto[];
  @ApiProperty({ type: String, nullable: true, description: 'cursor of the next page; null on the last' }) nextCursor!: string | null;
}

export class HeldRowDto extends MailRowDto {
  @ApiProperty({ enum: ['virus', 'attachment', 'dlp', 'authentication', 'spam', 'hold'] }) reason!: string;
  @ApiProperty({ type: [String], description: 'the symbols the reason is read from' }) reasonSymbols!: string[];
  @ApiProperty({ description: 'when the quarantine deletes it (received + quarantine.days)' }) expiresAtMs!: number;
}

export class PendingApprovalDto extends MailRowDto {
  @ApiProperty({ type: [String], description: 'why it was held: the approval rules (APPROVAL_RULE <rule>: ...) and DLP findings' }) reasons!: string[];
}

export class PendingApprovalsDto {
  @ApiProperty({ type: [PendingApprovalDto], description: 'newest first' }) messages!: PendingApprovalDto[];
}

export class ApprovalRejectDto {
  @ApiPropertyOptional({ description: 'told to the sender; at most 500 characters' }) reason?: string;
}

export class ApprovalDecisionDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['approved', 'rejected'] }) decision!: string;
  @ApiProperty({ description: 'the node that released the message or told the sender' }) nodeId!: string;
  @ApiProperty() detail!: string;
}

export class QuarantineCountsDto {
  @ApiProperty() virus!: number;
  @ApiProperty() attachment!: number;
  @ApiProperty() dlp!: number;
  @ApiProperty() authentication!: number;
  @ApiProperty() spam!: number;
  @ApiProperty() hold!: number;
}

export class QuarantinePageDto {
  @ApiProperty({ type: [HeldRowDto] }) messages!: HeldRowDto[];
  @ApiProperty({ type: String, nullable: true, description: 'cursor of the next page; null on the last' }) nextCursor!: string | null;
  @ApiProperty({ type: QuarantineCountsDto, description: 'held messages per reason (all but the reason filter applied)' }) counts!: QuarantineCountsDto;
  @ApiProperty({ description: 'held messages matching the recipient and time filters' }) total!: number;
  @ApiProperty({ description: "the policy's quarantine.days" }) days!: number;
  @ApiProperty({ description: 'more than 50000 held messages: counts and pages cover the newest' }) truncated!: boolean;
}

/** A condition of POST /api/mail/search: one field, or every (and) or any (or) of the conditions in it. */
const MAIL_CONDITION_SCHEMA = { oneOf: ['MailFieldConditionDto', 'MailAndConditionDto', 'MailOrConditionDto'].map((name) => ({ $ref: getSchemaPath(name) })) };

export class MailFieldConditionDto {
  @ApiProperty({ enum: MAIL_FIELDS }) field!: string;
  @ApiProperty({ description: 'part (any case), prefix (clientIp) or exact value, by field' }) value!: string;
}

export class MailAndConditionDto {
  @ApiProperty({ type: 'array', items: MAIL_CONDITION_SCHEMA, description: 'every condition matches' }) and!: object[];
}

export class MailOrConditionDto {
  @ApiProperty({ type: 'array', items: MAIL_CONDITION_SCHEMA, description: 'at least one condition matches' }) or!: object[];
}

export class MailSearchDto {
  @ApiPropertyOptional({
    ...MAIL_CONDITION_SCHEMA,
    description:
      'condition tree: {field, value} | {and: [...]} | {or: [...]}; fields sender, rcpt, subject, attachment, body (part, any case), clientIp (prefix), verdict, direction, symbol, node (name or id), deliveryStatus (exact); at most 5 deep and 50 fields',
    example: { or: [{ field: 'sender', value: 'alice@' }, { and: [{ field: 'verdict', value: 'quarantine' }, { field: 'symbol', value: 'AV_VIRUS' }] }] },
  })
  where?: object;
  @ApiPropertyOptional({ description: 'ISO-8601 or epoch ms' }) from?: string;
  @ApiPropertyOptional({ description: 'ISO-8601 or epoch ms (exclusive)' }) to?: string;
  @ApiPropertyOptional({ description: '1-10000, default 100' }) limit?: number;
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' }) cursor?: string;
}

export class SymbolDto {
  @ApiProperty() name!: string;
  @ApiProperty() score!: number;
  @ApiProperty() detail!: string;
  @ApiProperty() stage!: string;
  @ApiPropertyOptional({ description: 'what the symbol means (GET /api/mail/:id)' }) meaning?: string;
}

export class VerdictExplanationDto {
  @ApiProperty({ enum: ACTION_NAMES, description: "the action the score alone gives under the message's policy version" }) byScore!: string;
  @ApiProperty({ description: 'a finding with its own disposition made the action more severe than the score' }) forced!: boolean;
  @ApiProperty({ type: [String], description: 'the findings able to act on their own, when forced' }) forcedBy!: string[];
  @ApiProperty() summary!: string;
}

export class AttachmentDto {
  @ApiProperty() name!: string;
  @ApiProperty() declaredType!: string;
  @ApiProperty() detectedType!: string;
  @ApiProperty() size!: number;
  @ApiProperty() sha256!: string;
}

export class DeliveryDto {
  @ApiProperty() recipient!: string;
  @ApiProperty() status!: string;
  @ApiProperty() downstream!: string;
  @ApiProperty() response!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty() atMs!: number;
  @ApiProperty() nodeId!: string;
  @ApiProperty({ description: 'TLS protocol toward the downstream, "" in plain text' }) tlsVersion!: string;
}

export class MailDetailDto extends MailSummaryDto {
  @ApiProperty() tenant!: string;
  @ApiProperty() clientHostname!: string;
  @ApiProperty() helo!: string;
  @ApiProperty() tls!: boolean;
  @ApiProperty({ description: 'e.g. TLSv1.3; "" without TLS' }) tlsVersion!: string;
  @ApiProperty() tlsCipher!: string;
  @ApiProperty({ description: 'the name the client asked for (SNI)' }) tlsServerName!: string;
  @ApiProperty() authenticatedUser!: string;
  @ApiProperty() headerFrom!: string;
  @ApiProperty() headerTo!: string;
  @ApiProperty() headerMessageId!: string;
  @ApiProperty() headerDate!: string;
  @ApiProperty() replyTo!: string;
  @ApiProperty({ type: [String] }) urls!: string[];
  @ApiProperty() policyVersion!: number;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty() smtpReply!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) timings!: Record<string, number>;
  @ApiProperty({ type: [SymbolDto] }) symbols!: SymbolDto[];
  @ApiProperty({ type: [AttachmentDto] }) attachments!: AttachmentDto[];
  @ApiProperty({ type: [DeliveryDto] }) deliveries!: DeliveryDto[];
  @ApiProperty({ type: () => VerdictExplanationDto, description: 'why the message got its action' }) verdict!: VerdictExplanationDto;
  @ApiProperty({ type: () => [AuditEntryDto], description: 'administrator actions on the message (release, delete, report: who, when), oldest first' }) actions!: AuditEntryDto[];
}

export class ReleaseResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() nodeId!: string;
  @ApiProperty() detail!: string;
}

export class AccountsImportDto {
  @ApiProperty({ description: 'CSV text, one address per line in the first column (header, blank lines and # comments skipped)' }) csv!: string;
  @ApiPropertyOptional({ description: 'replace the accounts of the domains the file names instead of adding' }) replace?: boolean;
}

export class DomainAccountsDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String], description: 'local parts' }) accounts!: string[];
}

export class SenderAccountDto {
  @ApiProperty() address!: string;
  @ApiProperty({ description: 'may submit mail' }) canSend!: boolean;
  @ApiProperty({ description: 'a password is set (the hash itself is never returned)' }) hasPassword!: boolean;
  @ApiProperty({ type: [String] }) aliases!: string[];
}

export class AccountsViewDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: [DomainAccountsDto] }) domains!: DomainAccountsDto[];
  @ApiProperty({ type: [SenderAccountDto] }) senders!: SenderAccountDto[];
}

export class AccountPasswordDto {
  @ApiProperty({ description: 'at least 12 characters, not a common password, not built from the address' }) password!: string;
  @ApiPropertyOptional({ description: 'may submit mail (new accounts: true)' }) canSend?: boolean;
}

export class PasswordSetResultDto {
  @ApiProperty() version!: number;
  @ApiProperty() address!: string;
  @ApiProperty() canSend!: boolean;
}

export class ImportedDomainDto {
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'accounts after the import' }) accounts!: number;
  @ApiProperty({ description: 'accounts the import added' }) added!: number;
}

export class AccountsImportResultDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: [ImportedDomainDto] }) domains!: ImportedDomainDto[];
}

export class ClassifierSettingsDto {
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'the policy\'s model version; "" is the model shipped with Moat' }) modelVersion!: string;
  @ApiProperty() spamScore!: number;
  @ApiProperty() hamScore!: number;
}

export class ModelRecordDto {
  @ApiProperty() version!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty({ description: 'shipped, upload, report spam, report ham' }) source!: string;
  @ApiProperty({ description: 'the version it was learned from, if any' }) base!: string;
}

export class ClassifierStatusDto {
  @ApiProperty() policyVersion!: number;
  @ApiProperty() settings!: ClassifierSettingsDto;
  @ApiProperty({ description: 'the model nodes use' }) activeModelVersion!: string;
  @ApiProperty() shippedModelVersion!: string;
  @ApiProperty({ type: [ModelRecordDto] }) models!: ModelRecordDto[];
}

export class ModelUploadDto {
  @ApiProperty({ description: 'the model file (moat train --out), base64' }) model!: string;
  @ApiPropertyOptional({ description: 'policy version comment' }) comment?: string;
}

export class ModelChangeDto {
  @ApiProperty() modelVersion!: string;
  @ApiProperty() policyVersion!: number;
}

export class ReportDto {
  @ApiProperty({ enum: ['spam', 'ham'] }) kind!: string;
}

export class LearnDto {
  @ApiProperty({ enum: ['spam', 'ham'] }) kind!: string;
  @ApiProperty({ description: 'the raw message (.eml), base64, at most 3 MB' }) message!: string;
}

export class ReportResultDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() nodeId!: string;
  @ApiProperty() detail!: string;
  @ApiProperty({ description: 'the model that learned the message, current in policyVersion' }) modelVersion!: string;
  @ApiProperty() policyVersion!: number;
}

export class AuditEntryDto {
  @ApiProperty({ description: 'position in the chain, from 1' }) seq!: number;
  @ApiProperty() atMs!: number;
  @ApiProperty({ description: 'the administrator, or node:<name> for an enrolment' }) admin!: string;
  @ApiProperty({ example: 'mail.release' }) action!: string;
  @ApiProperty() target!: string;
  @ApiProperty() detail!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'hash of entry seq - 1 ("" for entry 1)' }) prevHash!: string;
  @ApiProperty({ description: 'SHA-256 (hex) of [seq, atMs, admin, action, target, detail, ok, prevHash] as JSON' }) hash!: string;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) entries!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'cursor of the next (older) page; null on the last' }) nextCursor!: string | null;
}

export class ChainBreakDto {
  @ApiProperty() seq!: number;
  @ApiProperty() reason!: string;
}

export class AuditVerificationDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty() checked!: number;
  @ApiProperty() firstSeq!: number;
  @ApiProperty() lastSeq!: number;
  @ApiProperty({ description: 'the chain head kept in the config of record' }) headSeq!: number;
  @ApiProperty({ type: ChainBreakDto, nullable: true }) broken!: ChainBreakDto | null;
}

export class BulkActionDto {
  @ApiProperty({ enum: ['release', 'delete', 'report-spam', 'report-ham', 'forward'], description: 'delete removes the body from the quarantine; forward sends each kept body to `to` through a node (audited mail.forward)' }) action!: string;
  @ApiProperty({ type: [String], description: '1 to 1000 message ids' }) ids!: string[];
  @ApiPropertyOptional({ description: 'forward only: the address the messages go to' }) to?: string;
}

export class BulkItemResultDto {
  @ApiProperty() id!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty() detail!: string;
}

export class BulkResultDto {
  @ApiProperty() action!: string;
  @ApiProperty() ok!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: [BulkItemResultDto] }) results!: BulkItemResultDto[];
}

export class SecurityFindingDto {
  @ApiProperty() atMs!: number;
  @ApiProperty() messageId!: string;
  @ApiProperty() nodeId!: string;
  @ApiProperty() nodeName!: string;
  @ApiProperty({ description: "the symbol's place among the message's symbols, from 1" }) position!: number;
  @ApiProperty({ description: 'the filter that fired (symbol name)' }) symbol!: string;
  @ApiProperty() score!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ description: 'connect, helo, mail, rcpt or data' }) stage!: string;
  @ApiProperty() sender!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() clientIp!: string;
  @ApiProperty({ enum: ACTION_NAMES }) action!: string;
}

export class SecurityLogPageDto {
  @ApiProperty({ type: [SecurityFindingDto] }) findings!: SecurityFindingDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class ExportedEventDto {
  @ApiProperty({ description: 'position in the export log; the cursor that follows this event' }) seq!: number;
  @ApiProperty({ description: 'unique per event, the same on every delivery: message:<id>, finding:<id>:<n>, delivery:..., audit:<seq>, node:...' }) id!: string;
  @ApiProperty({ description: 'when it happened, ms since the epoch' }) atMs!: number;
}

class MessageFactsDto extends ExportedEventDto {
  @ApiProperty() messageId!: string;
  @ApiProperty() nodeId!: string;
  @ApiProperty({ enum: DIRECTIONS }) direction!: string;
  @ApiProperty() mailFrom!: string;
  @ApiProperty({ type: [String], description: 'the first 50 recipients (rcptCount: all of them)' }) rcptTo!: string[];
  @ApiProperty() rcptCount!: number;
  @ApiProperty() clientIp!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ enum: ACTION_NAMES }) action!: string;
  @ApiProperty({ description: "the message's score" }) score!: number;
}

export class MessageEventDto extends MessageFactsDto {
  @ApiProperty({ enum: ['message'], description: 'one per SMTP transaction with a verdict' }) kind!: 'message';
  @ApiProperty() tenant!: string;
  @ApiProperty() clientHostname!: string;
  @ApiProperty() helo!: string;
  @ApiProperty() tls!: boolean;
  @ApiProperty() headerFrom!: string;
  @ApiProperty({ type: [String], description: 'every symbol the message got, in order' }) symbols!: string[];
  @ApiProperty() policyVersion!: number;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty() smtpReply!: string;
}

export class FindingEventDto extends MessageFactsDto {
  @ApiProperty({ enum: ['finding'], description: 'one per security finding (the security log of F15)' }) kind!: 'finding';
  @ApiProperty() symbol!: string;
  @ApiProperty({ description: "the symbol's own score" }) symbolScore!: number;
  @ApiProperty() stage!: string;
  @ApiProperty() detail!: string;
}

export class DeliveryEventDto extends ExportedEventDto {
  @ApiProperty({ enum: ['delivery'], description: "one per change of a recipient's delivery state" }) kind!: 'delivery';
  @ApiProperty() messageId!: string;
  @ApiProperty() nodeId!: string;
  @ApiProperty() recipient!: string;
  @ApiProperty() status!: string;
  @ApiProperty() downstream!: string;
  @ApiProperty() response!: string;
  @ApiProperty() attempts!: number;
}

export class AuditEventDto extends ExportedEventDto {
  @ApiProperty({ enum: ['audit'], description: 'one per audit entry' }) kind!: 'audit';
  @ApiProperty() admin!: string;
  @ApiProperty() action!: string;
  @ApiProperty() target!: string;
  @ApiProperty() detail!: string;
  @ApiProperty() ok!: boolean;
}

export class NodeEventDto extends ExportedEventDto {
  @ApiProperty({ enum: ['node'], description: 'a scan node came up (heartbeats again) or went down (no heartbeat for 15 s)' }) kind!: 'node';
  @ApiProperty() nodeId!: string;
  @ApiProperty() nodeName!: string;
  @ApiProperty({ enum: ['up', 'down'] }) state!: string;
  @ApiProperty() smtpAddress!: string;
  @ApiProperty() lastHeartbeatMs!: number;
}

export class EventPageDto {
  @ApiProperty({
    type: 'array',
    items: { oneOf: ['MessageEventDto', 'FindingEventDto', 'DeliveryEventDto', 'AuditEventDto', 'NodeEventDto'].map((name) => ({ $ref: getSchemaPath(name) })), discriminator: { propertyName: 'kind' } },
    description: 'in export order; the fields depend on the kind (docs/architecture.md, "Event export")',
  })
  events!: object[];
  @ApiProperty({ description: 'ask with this cursor for the events after this page (the same cursor when the page is empty)' }) cursor!: string;
}

export class MessageAttachmentDto {
  @ApiProperty() name!: string;
  @ApiProperty() type!: string;
  @ApiProperty() size!: number;
}

export class MessageViewDto {
  @ApiProperty() subject!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ description: 'ISO-8601, or the Date header as sent when it does not parse' }) date!: string;
  @ApiProperty({ description: 'the text/plain body' }) text!: string;
  @ApiProperty({ description: 'the text/html body as source text; show it as text, never as HTML' }) html!: string;
  @ApiProperty({ type: [MessageAttachmentDto] }) attachments!: MessageAttachmentDto[];
}

export class CsrRequestDto {
  @ApiProperty({ example: 'mail.example.com', description: 'DNS name, or *.example.com' }) domain!: string;
  @ApiPropertyOptional({ enum: ['rsa', 'ecdsa'], description: 'RSA 2048 (default) or ECDSA P-256' }) keyType?: string;
}

export class CsrResultDto {
  @ApiProperty() domain!: string;
  @ApiProperty({ enum: ['rsa', 'ecdsa'] }) keyType!: 'rsa' | 'ecdsa';
  @ApiProperty({ description: 'PKCS#10 PEM' }) csr!: string;
}

export class CertificateUploadDto {
  @ApiProperty({ description: 'PEM of the certificate issued for the CSR (intermediates may follow it)' }) certificate!: string;
  @ApiPropertyOptional({ description: 'PEM of the intermediates, issuer first' }) chain?: string;
}

export class CertificateImportDto extends CertificateUploadDto {
  @ApiProperty({ description: 'PEM of the unencrypted private key; stored encrypted' }) key!: string;
}

export class CertificateViewDto {
  @ApiProperty() domain!: string;
  @ApiProperty({ enum: ['active', 'pending'] }) status!: string;
  @ApiProperty() keyType!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: [String] }) sans!: string[];
  @ApiProperty() issuer!: string;
  @ApiProperty({ description: 'epoch ms, 0 when pending' }) notBefore!: number;
  @ApiProperty({ description: 'epoch ms, 0 when pending' }) notAfter!: number;
  @ApiProperty() daysLeft!: number;
  @ApiProperty({ description: 'SHA-256, colon-separated hex' }) fingerprint!: string;
  @ApiProperty({ description: '"" or: expires in N days (under 30), expired N days ago' }) warning!: string;
  @ApiProperty({ description: 'a CSR made here waits for its certificate' }) csrPending!: boolean;
}

export class TenantViewDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: '0 for tenant default' }) createdAtMs!: number;
  @ApiProperty({ type: [String], description: "the domains of the tenant's current policy" }) domains!: string[];
  @ApiProperty() policyVersion!: number;
  @ApiProperty({ description: 'administrators of the tenant' }) admins!: number;
}

export class TenantListDto {
  @ApiProperty({ type: [TenantViewDto] }) tenants!: TenantViewDto[];
}

export class NewTenantDto {
  @ApiProperty({ example: 'acme', description: "1-63 lower-case letters, digits or '-'" }) id!: string;
  @ApiPropertyOptional({ description: 'default: the id' }) name?: string;
  @ApiPropertyOptional({ type: [String], description: "the first policy's domains (unique across tenants)" }) domains?: string[];
  @ApiPropertyOptional({ example: 'mail.acme.test:25', description: 'host or host:port the domains deliver to; needed with domains' }) downstream?: string;
}
