import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compilePolicy, type CompiledPolicy } from '@moat/pipeline';
import { defaultPolicy, IpSet, parsePolicy, PolicyValidationError, type Policy, type PolicyDomain } from '@moat/policy';
import type { PolicyDocument } from '@moat/proto/grpc';
import { writeFileAtomically } from '../storage/durable-fs.js';

/** One policy version, compiled once and shared by every session that started under it. */
export interface ActivePolicy {
  /** The tenant whose policy this is, as the CSM sent it (events and spool entries carry it). */
  readonly tenant: string;
  readonly version: number;
  readonly policy: Policy;
  readonly compiled: CompiledPolicy;
  readonly trustedNetworks: IpSet;
  /** Tenant domains by lower-case name, for routing to their downstream. */
  readonly domains: ReadonlyMap<string, PolicyDomain>;
}

/**
 * `<data>/policy.json`: the last policies the node received, so that it restarts without the CSM: tenant
 * "default"'s at the top level (the layout from before tenants), every other tenant's under `tenants`.
 */
export interface PersistedPolicy {
  version: number;
  policy: unknown;
  tenants?: Record<string, { version: number; policy: unknown }>;
}

/** The tenant whose policy also sets the fleet-wide settings (SMTP limits, DNS, TLS, delivery, classifier). */
export const DEFAULT_TENANT = 'default';

export const POLICY_FILE = 'policy.json';

/**
 * Holds every tenant's current policy (F18). A new version is validated, compiled and persisted before it
 * replaces the tenant's current one in a single assignment; sessions keep the ActivePolicy they started with.
 * `current` is tenant "default"'s, whose connection-level and fleet-wide settings every connection starts
 * under; `forDomain` picks the tenant of a recipient's or sender's domain (domains are unique across tenants).
 */
export class PolicyStore {
  private active: ActivePolicy;
  /** Every tenant but "default", by id. */
  private others = new Map<string, ActivePolicy>();
  /** Every tenant's domains: the policy of the tenant that owns each. */
  private owners = new Map<string, ActivePolicy>();
  private applying: Promise<unknown> = Promise.resolve();
  private readonly listeners: Array<(policy: ActivePolicy) => void> = [];

  private constructor(
    private readonly file: string,
    initial: ActivePolicy,
    others: ReadonlyMap<string, ActivePolicy> = new Map(),
  ) {
    this.active = initial;
    this.others = new Map(others);
    this.index();
  }

  /** Loads the persisted policy, or the default one (serves no domain, so relays nothing) on a first start. */
  static async open(dataDir: string): Promise<PolicyStore> {
    const file = join(dataDir, POLICY_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return new PolicyStore(file, activate(defaultPolicy(), 0));
    }
    const persisted = parsePersisted(text, file);
    const others = Object.entries(persisted.tenants ?? {}).map(([id, kept]): [string, ActivePolicy] => [id, activate(parsePolicy(kept.policy), kept.version, id)]);
    return new PolicyStore(file, activate(parsePolicy(persisted.policy), persisted.version), new Map(others));
  }

  /** Tenant "default"'s policy. */
  get current(): ActivePolicy {
    return this.active;
  }

  /** The policy of the tenant that owns DOMAIN (lower case), undefined when no tenant does. */
  forDomain(domain: string): ActivePolicy | undefined {
    return this.owners.get(domain);
  }

  /** The policy of ADDRESS's domain's tenant; tenant "default"'s when no tenant owns it. */
  forAddress(address: string): ActivePolicy {
    return this.owners.get(address.slice(address.lastIndexOf('@') + 1).toLowerCase()) ?? this.active;
  }

  /** TENANT's policy (absent or "default": tenant "default"'s; a tenant no longer known: tenant "default"'s too). */
  ofTenant(tenant: string | undefined): ActivePolicy {
    return (tenant && this.others.get(tenant)) || this.active;
  }

  /** Every tenant's domains, by lower-case name: where mail for each is delivered. */
  domain(name: string): PolicyDomain | undefined {
    return this.owners.get(name)?.domains.get(name);
  }

  /** Every tenant's domains with their settings. */
  allDomains(): IterableIterator<[string, PolicyDomain]> {
    return [...this.owners.values()].flatMap((p) => [...p.domains]).values();
  }

  /** The version the node runs of each tenant's policy but "default"'s (WatchPolicy's have_tenant_versions). */
  tenantVersions(): Record<string, number> {
    return Object.fromEntries([...this.others].map(([id, p]) => [id, p.version]));
  }

  onChange(listener: (policy: ActivePolicy) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Applies a document from the CSM if it is newer than the current version. Returns whether it was applied;
   * throws PolicyValidationError (and keeps the current policy) when the document is damaged or invalid.
   */
  apply(doc: PolicyDocument): Promise<boolean> {
    const run = this.applying.then(() => this.applyNow(doc));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyNow(doc: PolicyDocument): Promise<boolean> {
    const tenant = doc.tenant || DEFAULT_TENANT;
    const isDefault = tenant === DEFAULT_TENANT;
    if (doc.removed) {
      if (isDefault || !this.others.delete(tenant)) return false;
      this.index();
      await this.persist();
      return true;
    }
    const running = isDefault ? this.active : this.others.get(tenant);
    if (running && doc.version <= running.version) return false;
    if (doc.sha256 && createHash('sha256').update(doc.json).digest('hex') !== doc.sha256.toLowerCase()) {
      throw new PolicyValidationError([`policy version ${doc.version}: sha256 does not match its JSON`]);
    }
    const raw = parseJson(doc.json, `policy version ${doc.version}`);
    const next = activate(parsePolicy(raw), doc.version, tenant);
    // Tenant default's documents may name another id (those stored before tenants existed); others must not.
    if (!isDefault && next.policy.tenant.id !== tenant) throw new PolicyValidationError([`policy version ${doc.version} of tenant ${tenant} names tenant ${next.policy.tenant.id}`]);
    const others = new Map(this.others);
    if (!isDefault) others.set(tenant, next);
    await this.persist(isDefault ? next : this.active, others);
    if (isDefault) this.active = next;
    this.others = others;
    this.index();
    if (isDefault) for (const listener of this.listeners) listener(next);
    return true;
  }

  private async persist(active = this.active, others = this.others): Promise<void> {
    const tenants = Object.fromEntries([...others].map(([id, p]) => [id, { version: p.version, policy: p.policy }]));
    const persisted: PersistedPolicy = { version: active.version, policy: active.policy, ...(others.size ? { tenants } : {}) };
    await writeFileAtomically(this.file, `${JSON.stringify(persisted, null, 2)}\n`);
  }

  /** Rebuilds the domain owners (the CSM keeps domains unique across tenants; were one claimed twice, default wins). */
  private index(): void {
    const owners = new Map<string, ActivePolicy>();
    for (const policy of [...this.others.values(), this.active]) for (const name of policy.domains.keys()) owners.set(name, policy);
    this.owners = owners;
  }
}

function activate(policy: Policy, version: number, tenant = DEFAULT_TENANT): ActivePolicy {
  return {
    tenant,
    version,
    policy,
    compiled: compilePolicy(policy, version),
    trustedNetworks: new IpSet(policy.smtp.trustedNetworks),
    domains: new Map(policy.domains.map((d) => [d.name, d])),
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PolicyValidationError([`${what}: not valid JSON: ${(err as Error).message}`]);
  }
}

function parsePersisted(text: string, file: string): PersistedPolicy {
  const value = parseJson(text, file);
  if (typeof value !== 'object' || value === null || !('version' in value) || !('policy' in value)) {
    throw new PolicyValidationError([`${file}: expected {"version": N, "policy": {...}}`]);
  }
  const { version, policy, tenants } = value as { version: unknown; policy: unknown; tenants?: unknown };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new PolicyValidationError([`${file}: version must be a non-negative integer`]);
  }
  if (tenants === undefined) return { version, policy };
  if (typeof tenants !== 'object' || tenants === null) throw new PolicyValidationError([`${file}: tenants must be an object`]);
  const kept: Record<string, { version: number; policy: unknown }> = {};
  for (const [id, entry] of Object.entries(tenants)) {
    const inner = parsePersisted(JSON.stringify(entry), `${file} tenant ${id}`);
    kept[id] = { version: inner.version, policy: inner.policy };
  }
  return { version, policy, tenants: kept };
}
