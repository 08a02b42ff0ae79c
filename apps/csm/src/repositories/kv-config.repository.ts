import { Injectable } from '@nestjs/common';
import { isRevisionConflict, openConfigBucket } from '@moat/bus';
import type { KV } from '@nats-io/kv';
import { ConflictError } from '../util/errors.js';
import { ConfigRepository, DEFAULT_TENANT, withRoleDefaults, type AdminRecord, type CertificateRecord, type NodeRecord, type PolicyPointer, type PolicyVersionRecord, type TenantRecord } from './config.repository.js';
import type { AuditEntry } from './event-store.repository.js';
import { NatsRepository } from './nats.repository.js';

// Keys: policy.current (version number), policy.v.<n> (PolicyVersionRecord) of tenant "default" (the layout from
// before tenants, kept so existing data needs no migration), tenant.<id> (TenantRecord of any other tenant),
// tpolicy.<id>.current and tpolicy.<id>.v.<n> (its policy), admin.<name>, node.<id>,
// audit.head (the last AuditEntry of the chain), export.position.<destination> (the export log position a SIEM
// destination has confirmed), cert.<domain> (CertificateRecord; a wildcard's `*` is written `_`, which no domain
// label contains).
const CURRENT_POLICY = 'policy.current';
const AUDIT_HEAD = 'audit.head';
const policyPrefix = (tenant: string) => (tenant === DEFAULT_TENANT ? 'policy' : `tpolicy.${tenant}`);
const currentPolicyKey = (tenant: string) => `${policyPrefix(tenant)}.current`;
const policyKey = (tenant: string, version: number) => `${policyPrefix(tenant)}.v.${version}`;
const tenantKey = (id: string) => `tenant.${id}`;
/** The tenant whose current-policy key KEY is (policy.current or tpolicy.<id>.current). */
const tenantOfCurrentKey = (key: string) => (key === CURRENT_POLICY ? DEFAULT_TENANT : key.slice('tpolicy.'.length, -'.current'.length));
const adminKey = (username: string) => `admin.${username}`;
const nodeKey = (id: string) => `node.${id}`;
const exportPositionKey = (destination: string) => `export.position.${destination}`;
const certificateKey = (domain: string) => `cert.${domain.replace('*', '_')}`;

/** ConfigRepository over the JetStream KV bucket moat_config. */
@Injectable()
export class KvConfigRepository extends ConfigRepository {
  private bucket: Promise<KV> | undefined;

  constructor(private readonly nats: NatsRepository) {
    super();
  }

  async currentPolicyVersion(tenant: string): Promise<number | undefined> {
    const entry = await (await this.kv()).get(currentPolicyKey(tenant));
    return entry && entry.operation === 'PUT' ? Number(entry.string()) : undefined;
  }

  async getPolicyVersion(tenant: string, version: number): Promise<PolicyVersionRecord | undefined> {
    return this.getJson<PolicyVersionRecord>(policyKey(tenant, version));
  }

  async createPolicyVersion(tenant: string, record: PolicyVersionRecord): Promise<void> {
    const kv = await this.kv();
    const key = policyKey(tenant, record.version);
    try {
      await kv.create(key, JSON.stringify(record));
    } catch (err) {
      if (await kv.get(key)) throw new ConflictError(`policy version ${record.version} already exists; another change was saved first`);
      throw err;
    }
    await kv.put(currentPolicyKey(tenant), String(record.version));
  }

  async listPolicyVersions(tenant: string): Promise<PolicyVersionRecord[]> {
    const records = await this.listJson<PolicyVersionRecord>(`${policyPrefix(tenant)}.v.*`);
    return records.sort((a, b) => a.version - b.version);
  }

  async deletePolicies(tenant: string): Promise<void> {
    const kv = await this.kv();
    const keys: string[] = [];
    for await (const key of await kv.keys(`${policyPrefix(tenant)}.v.*`)) keys.push(key);
    for (const key of keys) await kv.purge(key);
    // Deleted last: watchers see the tenant go once its versions are gone.
    await kv.delete(currentPolicyKey(tenant));
  }

  async *watchCurrentPolicy(signal: AbortSignal): AsyncIterable<PolicyPointer> {
    const watch = await (await this.kv()).watch({ key: [CURRENT_POLICY, 'tpolicy.*.current'] });
    const stop = () => watch.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const entry of watch) {
        yield { tenant: tenantOfCurrentKey(entry.key), version: entry.operation === 'PUT' ? Number(entry.string()) : 0 };
      }
    } finally {
      signal.removeEventListener('abort', stop);
      watch.stop();
    }
  }

  async listTenants(): Promise<TenantRecord[]> {
    return (await this.listJson<TenantRecord>('tenant.*')).sort((a, b) => a.id.localeCompare(b.id));
  }

  async createTenant(record: TenantRecord): Promise<boolean> {
    const kv = await this.kv();
    try {
      await kv.create(tenantKey(record.id), JSON.stringify(record));
      return true;
    } catch (err) {
      if (await kv.get(tenantKey(record.id))) return false;
      throw err;
    }
  }

  async deleteTenant(id: string): Promise<boolean> {
    const kv = await this.kv();
    if (!(await kv.get(tenantKey(id)))) return false;
    await kv.delete(tenantKey(id));
    return true;
  }

  async getAdmin(username: string): Promise<AdminRecord | undefined> {
    const record = await this.getJson<AdminRecord>(adminKey(username));
    return record && withRoleDefaults(record);
  }

  async createAdmin(record: AdminRecord): Promise<boolean> {
    const kv = await this.kv();
    try {
      await kv.create(adminKey(record.username), JSON.stringify(record));
      return true;
    } catch (err) {
      if (await kv.get(adminKey(record.username))) return false;
      throw err;
    }
  }

  async putAdmin(record: AdminRecord): Promise<void> {
    await (await this.kv()).put(adminKey(record.username), JSON.stringify(record));
  }

  async listAdmins(): Promise<AdminRecord[]> {
    return (await this.listJson<AdminRecord>('admin.*')).map(withRoleDefaults);
  }

  async deleteAdmin(username: string): Promise<boolean> {
    const kv = await this.kv();
    if (!(await kv.get(adminKey(username)))) return false;
    await kv.delete(adminKey(username));
    return true;
  }

  async getAuditHead(): Promise<{ entry: AuditEntry; revision: number } | undefined> {
    const entry = await (await this.kv()).get(AUDIT_HEAD);
    return entry && entry.operation === 'PUT' ? { entry: entry.json<AuditEntry>(), revision: entry.revision } : undefined;
  }

  async putAuditHead(entry: AuditEntry, revision: number | undefined): Promise<boolean> {
    const kv = await this.kv();
    const text = JSON.stringify(entry);
    try {
      await (revision === undefined ? kv.create(AUDIT_HEAD, text) : kv.update(AUDIT_HEAD, text, revision));
      return true;
    } catch (err) {
      if (isRevisionConflict(err)) return false;
      throw err;
    }
  }

  async listNodes(): Promise<NodeRecord[]> {
    return this.listJson<NodeRecord>('node.*');
  }

  async putNode(record: NodeRecord): Promise<void> {
    await (await this.kv()).put(nodeKey(record.id), JSON.stringify(record));
  }

  async getExportPosition(destination: string): Promise<number> {
    const entry = await (await this.kv()).get(exportPositionKey(destination));
    return entry && entry.operation === 'PUT' ? Number(entry.string()) : 0;
  }

  async putExportPosition(destination: string, seq: number): Promise<void> {
    await (await this.kv()).put(exportPositionKey(destination), String(seq));
  }

  async listCertificates(): Promise<CertificateRecord[]> {
    return this.listJson<CertificateRecord>('cert.>');
  }

  async getCertificate(domain: string): Promise<CertificateRecord | undefined> {
    return this.getJson<CertificateRecord>(certificateKey(domain));
  }

  async putCertificate(record: CertificateRecord): Promise<void> {
    await (await this.kv()).put(certificateKey(record.domain), JSON.stringify(record));
  }

  async deleteCertificate(domain: string): Promise<void> {
    await (await this.kv()).delete(certificateKey(domain));
  }

  async *watchCertificates(signal: AbortSignal): AsyncIterable<void> {
    const watch = await (await this.kv()).watch({ key: 'cert.>' });
    const stop = () => watch.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      yield;
      const changes = watch[Symbol.asyncIterator]();
      while (!(await changes.next()).done) yield;
    } finally {
      signal.removeEventListener('abort', stop);
      watch.stop();
    }
  }

  private kv(): Promise<KV> {
    if (this.bucket) return this.bucket;
    const opening = this.nats
      .connection()
      .then((nc) => openConfigBucket(nc));
    // A failed open (NATS down) must not stick: the next call tries again.
    opening.catch(() => {
      if (this.bucket === opening) this.bucket = undefined;
    });
    this.bucket = opening;
    return opening;
  }

  private async getJson<T>(key: string): Promise<T | undefined> {
    const entry = await (await this.kv()).get(key);
    return entry && entry.operation === 'PUT' ? entry.json<T>() : undefined;
  }

  private async listJson<T>(filter: string): Promise<T[]> {
    const kv = await this.kv();
    const keys: string[] = [];
    for await (const key of await kv.keys(filter)) keys.push(key);
    const records: T[] = [];
    for (const key of keys) {
      const record = await this.getJson<T>(key);
      if (record !== undefined) records.push(record);
    }
    return records;
  }
}
