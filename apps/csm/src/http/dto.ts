import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ACTION_NAMES } from '../repositories/event-store.repository.js';

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
}

export class StatusDto {
  @ApiProperty() policyVersion!: number;
  @ApiProperty({ type: DependencyHealthDto }) nats!: DependencyHealthDto;
  @ApiProperty({ type: DependencyHealthDto }) clickhouse!: DependencyHealthDto;
  @ApiProperty({ type: [NodeStatusDto] }) nodes!: NodeStatusDto[];
}

export class PolicyDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the policy document (libs/shared/policy schema)' }) policy!: object;
}

export class PutPolicyDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) policy!: object;
  @ApiPropertyOptional() comment?: string;
}

export class PolicyVersionDto {
  @ApiProperty() version!: number;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty() author!: string;
  @ApiProperty() comment!: string;
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
  @ApiProperty() value!: string;
  @ApiPropertyOptional({ description: "a domain's own list instead of the global one" }) domain?: string;
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
}

export class MailListDto {
  @ApiProperty({ type: [MailSummaryDto] }) messages!: MailSummaryDto[];
}

export class SymbolDto {
  @ApiProperty() name!: string;
  @ApiProperty() score!: number;
  @ApiProperty() detail!: string;
  @ApiProperty() stage!: string;
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
}

export class MailDetailDto extends MailSummaryDto {
  @ApiProperty() tenant!: string;
  @ApiProperty() clientHostname!: string;
  @ApiProperty() helo!: string;
  @ApiProperty() tls!: boolean;
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

export class AccountsViewDto {
  @ApiProperty() version!: number;
  @ApiProperty({ type: [DomainAccountsDto] }) domains!: DomainAccountsDto[];
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

export class ExportedEventDto {
  @ApiProperty({ description: 'position in the export log; the cursor that follows this event' }) seq!: number;
  @ApiProperty({ description: 'unique per event, the same on every delivery: message:<id>, finding:<id>:<n>, delivery:..., audit:<uuid>, node:...' }) id!: string;
  @ApiProperty({ enum: ['message', 'finding', 'delivery', 'audit', 'node'] }) kind!: string;
  @ApiProperty({ description: 'when it happened, ms since the epoch; the other fields depend on the kind (docs/architecture.md, "Event export")' }) atMs!: number;
}

export class EventPageDto {
  @ApiProperty({ type: [ExportedEventDto] }) events!: ExportedEventDto[];
  @ApiProperty({ description: 'ask with this cursor for the events after this page (the same cursor when the page is empty)' }) cursor!: string;
}
