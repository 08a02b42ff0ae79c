import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CsmConfig } from './csm-config.js';
import { NodeGrpcServer } from './grpc/node-grpc.server.js';
import { AccountsController } from './http/accounts.controller.js';
import { AuditController } from './http/audit.controller.js';
import { AdminsController } from './http/admins.controller.js';
import { AuthController } from './http/auth.controller.js';
import { AuthGuard } from './http/auth.guard.js';
import { CertificatesController } from './http/certificates.controller.js';
import { NodesController } from './http/nodes.controller.js';
import { ClassifierController } from './http/classifier.controller.js';
import { DkimController } from './http/dkim.controller.js';
import { DirectoryController } from './http/directory.controller.js';
import { ErrorFilter } from './http/error.filter.js';
import { EventsController } from './http/events.controller.js';
import { HealthController } from './http/health.controller.js';
import { AccountBlocksController } from './http/account-blocks.controller.js';
import { AuthBlocksController } from './http/auth-blocks.controller.js';
import { HoldsController } from './http/holds.controller.js';
import { ApprovalsController } from './http/approvals.controller.js';
import { TenantsController } from './http/tenants.controller.js';
import { TenantScopeInterceptor } from './http/tenant-scope.interceptor.js';
import { MailController } from './http/mail.controller.js';
import { MetricsController } from './http/metrics.controller.js';
import { PolicyController } from './http/policy.controller.js';
import { QuarantineController } from './http/quarantine.controller.js';
import { SecurityLogController } from './http/security-log.controller.js';
import { StatusController } from './http/status.controller.js';
import { ClickHouseEventStoreRepository } from './repositories/clickhouse-event-store.repository.js';
import { ConfigRepository } from './repositories/config.repository.js';
import { DkimKeyRepository } from './repositories/dkim-key.repository.js';
import { KvDkimKeyRepository } from './repositories/kv-dkim-key.repository.js';
import { DirectoryRepository } from './repositories/directory.repository.js';
import { LdaptsDirectoryRepository } from './repositories/ldapts-directory.repository.js';
import { DirectoryConfigRepository } from './repositories/directory-config.repository.js';
import { KvDirectoryConfigRepository } from './repositories/kv-directory-config.repository.js';
import { DnsTxtRepository } from './repositories/dns-txt.repository.js';
import { ResolverDnsTxtRepository } from './repositories/resolver-dns-txt.repository.js';
import { AccountSignsRepository } from './repositories/account-signs.repository.js';
import { AuthBlocksRepository } from './repositories/auth-blocks.repository.js';
import { KvAccountSignsRepository } from './repositories/kv-account-signs.repository.js';
import { KvAuthBlocksRepository } from './repositories/kv-auth-blocks.repository.js';
import { KvSrsKeyRepository } from './repositories/kv-srs-key.repository.js';
import { SrsKeyRepository } from './repositories/srs-key.repository.js';
import { EventBusRepository } from './repositories/event-bus.repository.js';
import { EventStoreRepository } from './repositories/event-store.repository.js';
import { JetStreamEventBusRepository } from './repositories/jetstream-event-bus.repository.js';
import { JetStreamModelRepository } from './repositories/jetstream-model.repository.js';
import { JetStreamQuarantineRepository } from './repositories/jetstream-quarantine.repository.js';
import { JetStreamBodyStoreRepository } from './repositories/jetstream-body-store.repository.js';
import { BodyStoreRepository } from './repositories/body-store.repository.js';
import { KvConfigRepository } from './repositories/kv-config.repository.js';
import { FileLocalStateRepository } from './repositories/file-local-state.repository.js';
import { LocalStateRepository } from './repositories/local-state.repository.js';
import { ModelRepository } from './repositories/model.repository.js';
import { QuarantineRepository } from './repositories/quarantine.repository.js';
import { NatsConnectionRepository } from './repositories/nats-connection.repository.js';
import { NatsRepository } from './repositories/nats.repository.js';
import { KvSessionRepository } from './repositories/kv-session.repository.js';
import { SessionRepository } from './repositories/session.repository.js';
import { SyslogSenderRepository } from './repositories/syslog-sender.repository.js';
import { TcpSyslogSenderRepository } from './repositories/tcp-syslog-sender.repository.js';
import { AccountsService } from './services/accounts.service.js';
import { AdminsService } from './services/admins.service.js';
import { AuditService } from './services/audit.service.js';
import { SecretKeyService } from './services/secret-key.service.js';
import { NodeCaService } from './services/node-ca.service.js';
import { AuthService } from './services/auth.service.js';
import { CertificateService } from './services/certificate.service.js';
import { ClassifierService } from './services/classifier.service.js';
import { ControlService } from './services/control.service.js';
import { DkimService } from './services/dkim.service.js';
import { DirectoryLoginService } from './services/directory-login.service.js';
import { DirectoryService } from './services/directory.service.js';
import { DkimDnsCheckService } from './services/dkim-dns-check.service.js';
import { SrsKeyService } from './services/srs-key.service.js';
import { EventIngestService, IngestMetrics } from './services/event-ingest.service.js';
import { ExportLogService } from './services/export-log.service.js';
import { SiemPushService } from './services/siem-push.service.js';
import { FleetService } from './services/fleet.service.js';
import { LoginThrottleService } from './services/login-throttle.service.js';
import { MailActionsService } from './services/mail-actions.service.js';
import { MailService } from './services/mail.service.js';
import { MessageBodyService } from './services/message-body.service.js';
import { AccountBlocksService } from './services/account-blocks.service.js';
import { AuthBlocksService } from './services/auth-blocks.service.js';
import { HoldsService } from './services/holds.service.js';
import { ApprovalsService } from './services/approvals.service.js';
import { TenantsService } from './services/tenants.service.js';
import { MetricsService } from './services/metrics.service.js';
import { PolicyService } from './services/policy.service.js';
import { QuarantineService } from './services/quarantine.service.js';
import { SecurityLogService } from './services/security-log.service.js';
import { SessionService } from './services/session.service.js';
import { StatusService } from './services/status.service.js';
import { DashboardService } from './services/dashboard.service.js';

@Module({
  controllers: [HealthController, AuthController, StatusController, PolicyController, MailController, AccountsController, ClassifierController, MetricsController, AuditController, SecurityLogController, EventsController, DkimController, AdminsController, CertificatesController, HoldsController, QuarantineController, NodesController, AuthBlocksController, ApprovalsController, DirectoryController, TenantsController, AccountBlocksController],
  providers: [
    { provide: CsmConfig, useValue: new CsmConfig() },
    { provide: NatsRepository, useClass: NatsConnectionRepository },
    { provide: ConfigRepository, useClass: KvConfigRepository },
    { provide: DkimKeyRepository, useClass: KvDkimKeyRepository },
    { provide: DirectoryRepository, useClass: LdaptsDirectoryRepository },
    { provide: DirectoryConfigRepository, useClass: KvDirectoryConfigRepository },
    { provide: DnsTxtRepository, useClass: ResolverDnsTxtRepository },
    { provide: SrsKeyRepository, useClass: KvSrsKeyRepository },
    { provide: AuthBlocksRepository, useClass: KvAuthBlocksRepository },
    { provide: AccountSignsRepository, useClass: KvAccountSignsRepository },
    { provide: EventStoreRepository, useClass: ClickHouseEventStoreRepository },
    { provide: EventBusRepository, useClass: JetStreamEventBusRepository },
    { provide: LocalStateRepository, useClass: FileLocalStateRepository },
    { provide: ModelRepository, useClass: JetStreamModelRepository },
    { provide: SessionRepository, useClass: KvSessionRepository },
    { provide: QuarantineRepository, useClass: JetStreamQuarantineRepository },
    { provide: SyslogSenderRepository, useClass: TcpSyslogSenderRepository },
    ExportLogService,
    { provide: BodyStoreRepository, useClass: JetStreamBodyStoreRepository },
    AuditService,
    SecretKeyService,
    NodeCaService,
    SessionService,
    LoginThrottleService,
    DirectoryLoginService,
    AuthService,
    AdminsService,
    PolicyService,
    AccountsService,
    DkimService,
    DkimDnsCheckService,
    SrsKeyService,
    FleetService,
    ControlService,
    MailService,
    MessageBodyService,
    MailActionsService,
    QuarantineService,
    SecurityLogService,
    ClassifierService,
    CertificateService,
    StatusService,
    DashboardService,
    MetricsService,
    HoldsService,
    AuthBlocksService,
    AccountBlocksService,
    ApprovalsService,
    DirectoryService,
    TenantsService,
    { provide: IngestMetrics, useExisting: MetricsService },
    EventIngestService,
    SiemPushService,
    NodeGrpcServer,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: ErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: TenantScopeInterceptor },
  ],
})
export class AppModule {}
