import { Injectable } from '@nestjs/common';
import { ConfigRepository, DEFAULT_TENANT, type TenantRecord } from '../repositories/config.repository.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../util/errors.js';
import { AuditService } from './audit.service.js';
import { AuthService, type Principal } from './auth.service.js';
import { PolicyService } from './policy.service.js';

/** A tenant id: lower-case letters, digits and '-', what a KV key, a policy and an event carry safely. */
export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A tenant as the API shows it: its domains come from its current policy. */
export interface TenantView {
  id: string;
  name: string;
  createdAtMs: number;
  domains: string[];
  policyVersion: number;
  admins: number;
}

export interface NewTenantInput {
  id?: unknown;
  name?: unknown;
  /** Domains of the first policy, each delivered to DOWNSTREAM. */
  domains?: unknown;
  /** `host` or `host:port` of the domains' downstream (needed with domains). */
  downstream?: unknown;
}

/**
 * The tenant registry (F18, super admins only): add, list, remove. A tenant's domains live in its own policy,
 * whose first version the registry stores; tenant "default" always exists (the fleet's first tenant and the owner
 * of everything written before tenants) and cannot be removed.
 */
@Injectable()
export class TenantsService {
  constructor(
    private readonly config: ConfigRepository,
    private readonly policy: PolicyService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<TenantView[]> {
    const records = await this.config.listTenants();
    const defaultTenant: TenantRecord = { id: DEFAULT_TENANT, name: (await this.policy.get()).policy.tenant.name, createdAtMs: 0 };
    return Promise.all([defaultTenant, ...records].map((record) => this.view(record)));
  }

  /** Registers a tenant and stores its first policy (its domains, or none); audited `tenant.add`. */
  async add(actor: Principal, input: NewTenantInput): Promise<TenantView> {
    const { id, name, domains, downstream } = parseNewTenant(input);
    const record: TenantRecord = { id, name, createdAtMs: Date.now() };
    await this.audit.record({ admin: actor.username, action: 'tenant.add', target: id, detail: domains.length ? `domains ${domains.join(', ')}` : 'no domains' });
    if (!(await this.config.createTenant(record))) throw new ConflictError(`tenant ${id} already exists`);
    const first = { tenant: { id, name }, domains: domains.map((domain) => ({ name: domain, downstream })) };
    try {
      await this.policy.of(id).create(first, actor.username, `tenant ${id} added`);
    } catch (err) {
      // A refused first policy (a domain of another tenant, a bad domain name) leaves no tenant behind.
      await this.config.deleteTenant(id);
      throw err;
    }
    return this.view(record);
  }

  /**
   * Removes a tenant with its policy versions. While it still has domains or administrators it is refused
   * (409 naming them) unless FORCE, which also removes its administrators (their sessions end). Its mail in the
   * event store stays until the retention drops it, visible to super admins. Audited `tenant.remove`.
   */
  async remove(actor: Principal, id: string, force: boolean): Promise<void> {
    if (id === DEFAULT_TENANT) throw new ConflictError(`tenant ${DEFAULT_TENANT} cannot be removed`);
    const record = (await this.config.listTenants()).find((t) => t.id === id);
    if (!record) throw new NotFoundError(`no tenant ${id}`);
    const view = await this.view(record);
    const admins = this.auth.allAdmins().filter((admin) => admin.tenant === id);
    const left = [...view.domains.map((d) => `domain ${d}`), ...admins.map((a) => `administrator ${a.username}`)];
    if (left.length && !force) throw new ConflictError(`tenant ${id} still has domains or administrators; remove them first or use force`, left);
    await this.audit.record({ admin: actor.username, action: 'tenant.remove', target: id, detail: left.length ? `with ${left.join(', ')}` : '' });
    for (const admin of admins) await this.auth.removeAdmin(admin.username);
    await this.policy.remove(id);
    await this.config.deleteTenant(id);
  }

  /** Whether ID names a tenant (the default one or one in the registry). */
  async exists(id: string): Promise<boolean> {
    return id === DEFAULT_TENANT || (await this.config.listTenants()).some((t) => t.id === id);
  }

  private async view(record: TenantRecord): Promise<TenantView> {
    const current = await this.policy
      .of(record.id)
      .get()
      .catch(() => undefined);
    const admins = this.auth.allAdmins().filter((admin) => admin.tenant === record.id).length;
    return { ...record, domains: current?.policy.domains.map((d) => d.name) ?? [], policyVersion: current?.version ?? 0, admins };
  }
}

function parseNewTenant(input: NewTenantInput): { id: string; name: string; domains: string[]; downstream: { host: string; port: number } | undefined } {
  const body = typeof input === 'object' && input !== null ? input : {};
  const problems: string[] = [];
  const id = typeof body.id === 'string' && TENANT_ID.test(body.id) ? body.id : undefined;
  if (!id) problems.push("id: 1-63 lower-case letters, digits or '-', starting with a letter or digit");
  if (body.name !== undefined && (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 200)) problems.push('name: a text of 1-200 characters');
  const domains = body.domains === undefined ? [] : body.domains;
  if (!Array.isArray(domains) || domains.length > 1000 || !domains.every((d) => typeof d === 'string')) problems.push('domains: a list of at most 1000 domain names');
  const downstream = parseDownstream(body.downstream);
  if (body.downstream !== undefined && !downstream) problems.push('downstream: host or host:port');
  if (Array.isArray(domains) && domains.length > 0 && body.downstream === undefined) problems.push('downstream: needed with domains (where their mail goes)');
  if (problems.length || !id) throw new InvalidInputError('invalid tenant', problems);
  return { id, name: typeof body.name === 'string' ? body.name.trim() : id, domains: domains as string[], downstream };
}

/** `host` or `host:port` (port 25 when absent); undefined when it is neither. */
function parseDownstream(value: unknown): { host: string; port: number } | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 260) return undefined;
  const colon = value.lastIndexOf(':');
  if (colon < 0) return { host: value, port: 25 };
  const port = Number(value.slice(colon + 1));
  const host = value.slice(0, colon);
  return host && Number.isInteger(port) && port >= 1 && port <= 65535 ? { host, port } : undefined;
}
