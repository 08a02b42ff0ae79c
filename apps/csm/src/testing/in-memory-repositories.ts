import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DeliveryEvent, MessageEvent } from '@moat/proto/grpc';
import { CsmConfig } from '../csm-config.js';
import { ConfigRepository, DEFAULT_TENANT, type AdminRecord, type CertificateRecord, type NodeRecord, type PolicyPointer, type PolicyVersionRecord, type TenantRecord } from '../repositories/config.repository.js';
import {
  EventStoreRepository,
  type AuditEntry,
  type AuditFields,
  type AuditQuery,
  type BreakdownRow,
  type DashboardCounts,
  type DashboardQuery,
  type ExportLogRow,
  type HeldMail,
  type HeldQuery,
  type MailDetail,
  type MailQuery,
  type MailSummary,
  type SecurityFinding,
  type SecurityLogQuery,
  type Stats,
} from '../repositories/event-store.repository.js';
import { LocalStateRepository, type StoredNodeCa } from '../repositories/local-state.repository.js';
import { ModelRepository, type ModelRecord } from '../repositories/model.repository.js';
import { QuarantineRepository } from '../repositories/quarantine.repository.js';
import { BodyStoreRepository, type StoredBody } from '../repositories/body-store.repository.js';
import type { Health } from '../repositories/nats.repository.js';
import { DirectoryConfigRepository, type DirectorySettings, type DirectoryState } from '../repositories/directory-config.repository.js';
import { DirectoryRepository, type DirectoryConnection, type DirectoryEntry, type DirectoryQuery } from '../repositories/directory.repository.js';
import { AuditService } from '../services/audit.service.js';
import { DirectoryLoginService } from '../services/directory-login.service.js';
import { ExportLogService } from '../services/export-log.service.js';
import { NodeCaService } from '../services/node-ca.service.js';
import { SecretKeyService } from '../services/secret-key.service.js';
import { ConflictError } from '../util/errors.js';

// In-memory stand-ins for the repositories, for unit specs of the services. Integration tests use the real ones.

// Services log their progress; in unit specs that is noise.
Logger.overrideLogger(false);

export class InMemoryConfigRepository extends ConfigRepository {
  /** Every tenant's policy versions and current version. */
  readonly tenantPolicies = new Map<string, { versions: Map<number, PolicyVersionRecord>; current: number | undefined }>();
  readonly tenants = new Map<string, TenantRecord>();
  readonly admins = new Map<string, AdminRecord>();
  readonly nodes = new Map<string, NodeRecord>();

  /** Tenant "default"'s policy versions. */
  get policies(): Map<number, PolicyVersionRecord> {
    return this.policiesOf(DEFAULT_TENANT).versions;
  }
  get current(): number | undefined {
    return this.policiesOf(DEFAULT_TENANT).current;
  }

  private policiesOf(tenant: string) {
    let kept = this.tenantPolicies.get(tenant);
    if (!kept) this.tenantPolicies.set(tenant, (kept = { versions: new Map(), current: undefined }));
    return kept;
  }

  async currentPolicyVersion(tenant: string) {
    return this.policiesOf(tenant).current;
  }
  async getPolicyVersion(tenant: string, version: number) {
    return this.policiesOf(tenant).versions.get(version);
  }
  async createPolicyVersion(tenant: string, record: PolicyVersionRecord) {
    const kept = this.policiesOf(tenant);
    if (kept.versions.has(record.version)) throw new ConflictError(`version ${record.version} exists`);
    kept.versions.set(record.version, record);
    kept.current = record.version;
  }
  async listPolicyVersions(tenant: string) {
    return [...this.policiesOf(tenant).versions.values()];
  }
  async deletePolicies(tenant: string) {
    this.tenantPolicies.delete(tenant);
  }
  async *watchCurrentPolicy(): AsyncIterable<PolicyPointer> {
    for (const [tenant, kept] of this.tenantPolicies) if (kept.current !== undefined) yield { tenant, version: kept.current };
  }
  async listTenants() {
    return [...this.tenants.values()];
  }
  async createTenant(record: TenantRecord) {
    if (this.tenants.has(record.id)) return false;
    this.tenants.set(record.id, record);
    return true;
  }
  async deleteTenant(id: string) {
    return this.tenants.delete(id);
  }
  async getAdmin(username: string) {
    return this.admins.get(username);
  }
  async createAdmin(record: AdminRecord) {
    if (this.admins.has(record.username)) return false;
    this.admins.set(record.username, record);
    return true;
  }
  async putAdmin(record: AdminRecord) {
    this.admins.set(record.username, record);
  }
  async listAdmins() {
    return [...this.admins.values()];
  }
  async deleteAdmin(username: string) {
    return this.admins.delete(username);
  }
  auditHead: { entry: AuditEntry; revision: number } | undefined;
  async getAuditHead() {
    return this.auditHead;
  }
  async putAuditHead(entry: AuditEntry, revision: number | undefined) {
    if (this.auditHead?.revision !== revision) return false;
    this.auditHead = { entry, revision: (revision ?? 0) + 1 };
    return true;
  }
  async listNodes() {
    return [...this.nodes.values()];
  }
  async putNode(record: NodeRecord) {
    this.nodes.set(record.id, record);
  }
  readonly exportPositions = new Map<string, number>();
  async getExportPosition(destination: string) {
    return this.exportPositions.get(destination) ?? 0;
  }
  async putExportPosition(destination: string, seq: number) {
    this.exportPositions.set(destination, seq);
  }
  readonly certificates = new Map<string, CertificateRecord>();
  async listCertificates() {
    return [...this.certificates.values()];
  }
  async getCertificate(domain: string) {
    return this.certificates.get(domain);
  }
  async putCertificate(record: CertificateRecord) {
    this.certificates.set(record.domain, record);
  }
  async deleteCertificate(domain: string) {
    this.certificates.delete(domain);
  }
  async *watchCertificates(): AsyncIterable<void> {
    yield;
  }
}

export class InMemoryEventStore extends EventStoreRepository {
  readonly messages: MessageEvent[] = [];
  readonly deliveries: DeliveryEvent[] = [];
  readonly audit: AuditEntry[] = [];
  readonly mail = new Map<string, MailDetail>();
  /** Set to make the next inserts fail, as a ClickHouse outage would. */
  failInserts: Error | undefined;

  ensureSchema(): Promise<void> {
    return Promise.resolve();
  }
  async insertEvents(messages: MessageEvent[], deliveries: DeliveryEvent[]) {
    if (this.failInserts) throw this.failInserts;
    this.messages.push(...messages);
    this.deliveries.push(...deliveries);
  }
  legacy: AuditFields[] = [];
  async insertAudit(entries: AuditEntry[]) {
    if (this.failInserts) throw this.failInserts;
    for (const entry of entries) if (!this.audit.some((e) => e.seq === entry.seq)) this.audit.push(entry);
    this.audit.sort((a, b) => a.seq - b.seq);
  }
  async hasAuditEntry(seq: number) {
    return this.audit.some((e) => e.seq === seq);
  }
  async legacyAudit() {
    return this.legacy;
  }
  async searchAudit(query: AuditQuery) {
    return this.audit
      .filter((e) => (!query.admin || e.admin === query.admin) && (!query.action || e.action === query.action || e.action.startsWith(`${query.action}.`)))
      .filter((e) => !query.target || e.target === query.target)
      .filter((e) => e.atMs >= query.fromMs && e.atMs < query.toMs && (!query.beforeSeq || e.seq < query.beforeSeq))
      .reverse()
      .slice(0, query.limit);
  }
  async auditAfter(afterSeq: number, limit: number) {
    return this.audit.filter((e) => e.seq > afterSeq).slice(0, limit);
  }
  /** Honours the range, the keyset position and the limit; conditions are the SQL's business (clickhouse-mail-query). */
  async searchMail(query: MailQuery): Promise<MailSummary[]> {
    const after = query.after;
    return [...this.mail.values()]
      .filter((m) => m.receivedAtMs >= query.fromMs && m.receivedAtMs < query.toMs)
      .sort((a, b) => b.receivedAtMs - a.receivedAtMs || (a.id < b.id ? 1 : -1))
      .filter((m) => !after || m.receivedAtMs < after.receivedAtMs || (m.receivedAtMs === after.receivedAtMs && m.id < after.id))
      .slice(0, query.limit);
  }
  async getMail(id: string) {
    return this.mail.get(id);
  }
  /** Reads the held state from `mail` as the SQL does (action, released, deliveryStatus). */
  async heldMail(query: HeldQuery): Promise<HeldMail[]> {
    return [...this.mail.values()]
      .filter((m) => m.receivedAtMs >= query.fromMs && m.receivedAtMs < query.toMs && (m.action === 'quarantine' || m.action === 'hold'))
      .filter((m) => !m.released && m.deliveryStatus !== 'deleted' && m.deliveryStatus !== 'expired')
      .filter((m) => !query.rcpt || m.rcptTo.some((r) => r.toLowerCase().includes(query.rcpt.toLowerCase())))
      .sort((a, b) => b.receivedAtMs - a.receivedAtMs || (a.id < b.id ? 1 : -1))
      .slice(0, query.limit)
      .map((m) => ({ ...m, symbols: m.symbols.map(({ name, score }) => ({ name, score })) }));
  }
  findings: SecurityFinding[] = [];
  async securityLog(query: SecurityLogQuery) {
    const after = query.after;
    return this.findings
      .filter((f) => f.atMs >= query.fromMs && f.atMs < query.toMs && f.symbol.startsWith(query.kind) && f.clientIp.startsWith(query.ip))
      .filter((f) => f.sender.toLowerCase().includes(query.sender.toLowerCase()))
      .filter((f) => [f.subject, f.detail].some((s) => s.toLowerCase().includes(query.text.toLowerCase())))
      .filter((f) => !after || f.atMs < after.atMs || (f.atMs === after.atMs && (f.messageId < after.messageId || (f.messageId === after.messageId && f.position < after.position))))
      .slice(0, query.limit);
  }
  async stats(): Promise<Stats> {
    return { total: 0, byDirectionAction: [], daily: [] };
  }
  breakdownRows: BreakdownRow[] = [];
  async breakdown() {
    return this.breakdownRows;
  }
  dashboardCounts: DashboardCounts = { buckets: [], tops: { senders: [], recipients: [], spamRecipients: [], viruses: [], symbols: [], clientIps: [] } };
  readonly dashboardQueries: DashboardQuery[] = [];
  async dashboard(query: DashboardQuery) {
    this.dashboardQueries.push(query);
    return this.dashboardCounts;
  }
  async health(): Promise<Health> {
    return { ok: true, detail: 'in memory' };
  }
  readonly exportRows: ExportLogRow[] = [];
  async exportedIds(ids: string[]) {
    return new Set(this.exportRows.filter((r) => ids.includes(r.id)).map((r) => r.id));
  }
  async lastExportSeq() {
    return this.exportRows.at(-1)?.seq ?? 0;
  }
  async insertExportRows(rows: ExportLogRow[]) {
    if (this.failInserts) throw this.failInserts;
    this.exportRows.push(...rows);
  }
  async readExportRows(afterSeq: number, limit: number) {
    return this.exportRows.filter((r) => r.seq > afterSeq).slice(0, limit);
  }
}

export class InMemoryLocalState extends LocalStateRepository {
  cliToken = '';
  adminCache: AdminRecord[] = [];

  async writeCliToken(token: string) {
    this.cliToken = token;
  }
  metricsTokenFile = '';
  async metricsToken(create: () => string) {
    this.metricsTokenFile ||= create();
    return this.metricsTokenFile;
  }
  async readAdminCache() {
    return this.adminCache;
  }
  async writeAdminCache(records: AdminRecord[]) {
    this.adminCache = records;
  }
  nodeCa: StoredNodeCa | undefined;
  async readNodeCa() {
    return this.nodeCa;
  }
  async writeNodeCa(ca: StoredNodeCa) {
    this.nodeCa = ca;
  }
}

export class InMemoryModelRepository extends ModelRepository {
  readonly models = new Map<string, { bytes: Buffer; record: ModelRecord }>();

  async list() {
    return [...this.models.values()].map((m) => m.record);
  }
  async get(version: string) {
    return this.models.get(version)?.bytes;
  }
  async put(version: string, bytes: Buffer, origin: { source: string; base: string }) {
    if (!this.models.has(version)) this.models.set(version, { bytes, record: { version, sizeBytes: bytes.length, createdAtMs: Date.now(), ...origin } });
  }
}

export function testConfig(env: Record<string, string> = {}): CsmConfig {
  return new CsmConfig({ MOAT_DATA_DIR: '/nonexistent/moat-test', ...env });
}

export class InMemoryQuarantine extends QuarantineRepository {
  readonly bodies = new Set<string>();

  async delete(messageId: string) {
    return this.bodies.delete(messageId);
  }
}

/** A node CA kept in memory, its key sealed with a random key. */
export function testNodeCa(): NodeCaService {
  return new NodeCaService(new InMemoryLocalState(), new SecretKeyService(testConfig({ MOAT_SECRET_KEY: randomBytes(32).toString('base64') })));
}

/** An AuditService writing to STORE (the audit chain and the export log), with its chain head in CONFIG. */
export function testAudit(store: InMemoryEventStore = new InMemoryEventStore(), config: ConfigRepository = new InMemoryConfigRepository()): AuditService {
  return new AuditService(store, config, new ExportLogService(store));
}

export class InMemoryBodyStore extends BodyStoreRepository {
  readonly bodies = new Map<string, StoredBody>();

  async find(messageId: string) {
    return this.bodies.get(messageId);
  }
  async sweep(nowMs: number) {
    const expired = [...this.bodies].filter(([, b]) => b.expiresAtMs !== undefined && b.expiresAtMs <= nowMs).map(([id]) => id);
    for (const id of expired) this.bodies.delete(id);
    return expired.length;
  }
  async usage() {
    return { bytes: [...this.bodies.values()].reduce((sum, b) => sum + b.raw.length, 0), messages: this.bodies.size };
  }
}

/** A message's record as the event store returns it: a quarantined inbound message unless OVERRIDES say otherwise. */
export function mailDetail(id: string, overrides: Partial<MailDetail> = {}): MailDetail {
  return {
    id, receivedAtMs: 1, nodeId: 'n1', direction: 'inbound', mailFrom: 'a@b.test', rcptTo: ['c@d.test'], subject: 's', clientIp: '192.0.2.1',
    action: 'quarantine', score: 12, deliveryStatus: 'quarantined', released: false, tenant: 'default', clientHostname: '', helo: '', tls: false,
    authenticatedUser: '', headerFrom: '', headerTo: '', headerMessageId: '', headerDate: '', replyTo: '', urls: [], policyVersion: 1, sizeBytes: 10,
    smtpReply: '', timings: { sessionMs: 0, scanMs: 0, spoolMs: 0 }, symbols: [], attachments: [], attachmentNames: [], deliveries: [], ...overrides,
  };
}

export class InMemoryDirectoryConfig extends DirectoryConfigRepository {
  readonly settings = new Map<string, DirectorySettings>();
  readonly states = new Map<string, DirectoryState>();

  async getSettings(tenant: string): Promise<DirectorySettings | undefined> {
    return this.settings.get(tenant);
  }

  async putSettings(settings: DirectorySettings): Promise<void> {
    this.settings.set(settings.tenant, settings);
  }

  async getState(tenant: string): Promise<DirectoryState | undefined> {
    return this.states.get(tenant);
  }

  async putState(state: DirectoryState): Promise<void> {
    this.states.set(state.tenant, state);
  }
}

/** A directory of fixed entries: users, then groups, for the two queries a sync makes; binds by DN → password. */
export class FakeDirectory extends DirectoryRepository {
  users: DirectoryEntry[] = [];
  groups: DirectoryEntry[] = [];
  readonly passwords = new Map<string, string>();

  async search(_connection: DirectoryConnection, bindDn: string, password: string, queries: DirectoryQuery[]): Promise<DirectoryEntry[][]> {
    if (this.passwords.get(bindDn) !== password) throw new Error('Invalid Credentials');
    return queries.map((_query, i) => (i === 0 ? this.users : this.groups));
  }

  async verify(_connection: DirectoryConnection, dn: string, password: string): Promise<boolean> {
    return password !== '' && this.passwords.get(dn) === password;
  }
}

/** A DirectoryLoginService over an empty settings store: no account logs in by the directory. */
export function noDirectoryLogin(): DirectoryLoginService {
  return new DirectoryLoginService(new InMemoryDirectoryConfig(), new FakeDirectory());
}
