import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  defaultPolicy,
  diffPolicies,
  editListEntries,
  isListKind,
  listEntryProblem,
  LIST_KINDS,
  mailStoppingChanges,
  parsePolicy,
  PolicyValidationError,
  restoreSecrets,
  type Policy,
  type PolicyChange,
  type PolicyLists,
} from '@moat/policy';
import type { PolicyDocument } from '@moat/proto/grpc';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CsmConfig } from '../csm-config.js';
import { ConfigRepository, DEFAULT_TENANT, type PolicyVersionRecord } from '../repositories/config.repository.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { scopedTenant } from '../util/tenant-scope.js';
import { AuditService } from './audit.service.js';

export interface VersionedPolicy {
  version: number;
  policy: Policy;
}

export interface PolicyVersionInfo {
  version: number;
  createdAtMs: number;
  author: string;
  comment: string;
}

/** One stored version with its document. */
export interface PolicyVersionDetail extends PolicyVersionInfo {
  policy: Policy;
}

export interface ListsView {
  version: number;
  lists: PolicyLists;
  domains: { name: string; lists: PolicyLists }[];
}

/** Entries a pasted list may hold (one per line). */
export const MAX_LIST_LINES = 1000;

export interface ListEdit {
  op: 'add' | 'remove';
  kind: keyof typeof LIST_KINDS;
  /** The entries: `value`, or the non-empty lines of `values` (a pasted list). */
  entries: string[];
  domain?: string;
  /** The new version's comment; default: what changed. */
  comment?: string;
}

export interface PolicyCheck {
  /** The running version the changes are against. */
  version: number;
  changes: PolicyChange[];
  /** Mail-stopping changes: publishing needs confirm. */
  warnings: string[];
}

export interface PolicyDiff {
  from: number;
  to: number;
  changes: PolicyChange[];
}

type Listener = (doc: PolicyDocument) => void;

/** What a tenant's policy needs from the fleet: the domains other tenants claim (domains are unique across tenants). */
interface PolicyContext {
  config: ConfigRepository;
  audit: AuditService;
  logger: Logger;
  /** Each domain of another tenant's current policy, with that tenant (set by PolicyService). */
  domainsOfOthers(tenant: string): Promise<Map<string, string>>;
}

/**
 * One tenant's policy: every change is validated, audited and stored as a new version in the config of record;
 * every node watching gets each new version. Changes made by another CSM replica arrive through the KV watch.
 */
export class TenantPolicy {
  private readonly listeners = new Set<Listener>();
  private current: PolicyDocument | undefined;
  /** Changes from this process are made one at a time, so they never race for a version number. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly tenant: string,
    protected readonly context: PolicyContext,
  ) {}

  private get config(): ConfigRepository {
    return this.context.config;
  }

  /** The current policy; waits for the config of record when it has not been read yet. */
  async get(): Promise<VersionedPolicy> {
    const doc = await this.currentDocument();
    return { version: doc.version, policy: parsePolicy(doc.json) };
  }

  currentVersion(): number {
    return this.current?.version ?? 0;
  }

  async versions(): Promise<PolicyVersionInfo[]> {
    const records = await this.config.listPolicyVersions(this.tenant);
    return records.map(({ version, createdAtMs, author, comment }) => ({ version, createdAtMs, author, comment }));
  }

  /** Stored VERSION with its author, comment and document; InvalidInputError / NotFoundError as atVersion. */
  async version(version: number): Promise<PolicyVersionDetail> {
    const record = await this.stored(version);
    return { version, createdAtMs: record.createdAtMs, author: record.author, comment: record.comment, policy: parsePolicy(record.json) };
  }

  /**
   * Validates INPUT and stores it as the next version. Throws InvalidInputError with the schema's problems, and
   * ConflictError listing the warnings when the change stops mail (mailStoppingChanges) unless CONFIRM.
   */
  async put(input: unknown, author: string, comment: string, confirm = false): Promise<VersionedPolicy> {
    return this.serialised(async () => {
      const policy = validate(restoreSecrets(input, (await this.get()).policy));
      await this.checkSafety(policy, confirm);
      const doc = await this.commit(policy, author, comment);
      return { version: doc.version, policy };
    });
  }

  /** What publishing INPUT would change against the running version, and the warnings it would need confirmed. */
  async check(input: unknown): Promise<PolicyCheck> {
    const running = await this.get();
    const policy = validate(restoreSecrets(input, running.policy));
    return { version: running.version, changes: diffPolicies(running.policy, policy), warnings: mailStoppingChanges(running.policy, policy) };
  }

  /** Path-level differences between two stored versions (TO defaults to the current one, FROM to the one before TO). */
  async diff(fromVersion: number | undefined, toVersion: number | undefined): Promise<PolicyDiff> {
    const to = toVersion ?? (await this.get()).version;
    const from = fromVersion ?? to - 1;
    const [before, after] = await Promise.all([this.atVersion(from), this.atVersion(to)]);
    return { from, to, changes: diffPolicies(before, after) };
  }

  /** Makes stored VERSION's document current again, as a new version (so the history keeps what was undone). */
  async rollback(version: number, author: string, comment: string, confirm = false): Promise<VersionedPolicy> {
    const policy = await this.atVersion(version);
    return this.serialised(async () => {
      await this.checkSafety(policy, confirm);
      const doc = await this.commit(policy, author, comment || `rollback to version ${version}`);
      return { version: doc.version, policy };
    });
  }

  async lists(): Promise<ListsView> {
    const { version, policy } = await this.get();
    return { version, lists: policy.lists, domains: policy.domains.map((d) => ({ name: d.name, lists: d.lists })) };
  }

  /**
   * Adds or removes one list entry (`value`) or a pasted list (`values`, one entry a line, each checked: a bad line
   * is a problem naming it and nothing changes); a new version only when the list changes. Returns the list afterwards.
   */
  async editList(edit: unknown, author: string): Promise<{ version: number; values: string[] }> {
    const { op, kind, entries, domain, comment } = parseListEdit(edit);
    return this.serialised(async () => {
      const { version, policy } = await this.get();
      let next: Policy;
      try {
        next = editListEntries(policy, op, kind, entries, domain);
      } catch (err) {
        throw err instanceof PolicyValidationError ? new InvalidInputError('invalid list entry', err.problems) : new InvalidInputError(errorMessage(err));
      }
      const values = (domain ? next.domains.find((d) => d.name === domain.toLowerCase())?.lists : next.lists)?.[LIST_KINDS[kind]] ?? [];
      if (JSON.stringify(next) === JSON.stringify(policy)) return { version, values };
      const what = entries.length === 1 ? (entries[0] ?? '') : `${entries.length} entries`;
      const doc = await this.commit(next, author, comment || `list ${op} ${kind} ${what}${domain ? ` (domain ${domain})` : ''}`);
      return { version: doc.version, values };
    });
  }

  /**
   * Applies EDIT to the current policy and stores the validated result as the next version, in turn with
   * every other change (so no change is lost between reading and writing). No new version when nothing changed.
   */
  async modify(edit: (policy: Policy) => Policy, author: string, comment: string): Promise<VersionedPolicy> {
    return this.serialised(async () => {
      const current = await this.get();
      const next = validate(edit(current.policy));
      if (JSON.stringify(next) === JSON.stringify(current.policy)) return current;
      const doc = await this.commit(next, author, comment);
      return { version: doc.version, policy: next };
    });
  }

  /**
   * Sends the current document to LISTENER if it is newer than HAVEVERSION, then every new version, until the
   * returned function is called.
   */
  watch(haveVersion: number, listener: Listener): () => void {
    if (this.current && this.current.version > haveVersion) listener(this.current);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async checkSafety(policy: Policy, confirm: boolean): Promise<void> {
    if (confirm) return;
    const warnings = mailStoppingChanges((await this.get()).policy, policy);
    if (warnings.length) throw new ConflictError('this change stops mail; publish it with confirm: true (moat policy set --confirm) if that is intended', warnings);
  }

  /** The document of stored VERSION; InvalidInputError for a number that is not a version, NotFoundError when not kept. */
  async atVersion(version: number): Promise<Policy> {
    return parsePolicy((await this.stored(version)).json);
  }

  private async stored(version: number): Promise<PolicyVersionRecord> {
    if (!Number.isSafeInteger(version) || version < 1) throw new InvalidInputError('invalid policy version', [`version: must be a version number, got ${version}`]);
    const record = await this.config.getPolicyVersion(this.tenant, version);
    if (!record) throw new NotFoundError(`no policy version ${version}`);
    return record;
  }

  /**
   * Stores POLICY as the next version (its `tenant.id` set to this tenant), after checking that it claims no
   * domain of another tenant (ConflictError naming it).
   */
  protected async commit(policy: Policy, author: string, comment: string): Promise<PolicyDocument> {
    const owned: Policy = { ...policy, tenant: { ...policy.tenant, id: this.tenant } };
    const others = await this.context.domainsOfOthers(this.tenant);
    const claimed = owned.domains.filter((d) => others.has(d.name)).map((d) => `domains: ${d.name} belongs to tenant ${others.get(d.name)}`);
    if (claimed.length) throw new ConflictError('a domain of this policy belongs to another tenant', claimed);
    const version = ((await this.config.currentPolicyVersion(this.tenant)) ?? 0) + 1;
    const json = JSON.stringify(owned);
    const record: PolicyVersionRecord = { version, json, sha256: sha256(json), createdAtMs: Date.now(), author, comment };
    // Audited before it is stored: a change is never in effect without its audit entry.
    await this.context.audit.record({ admin: author, action: 'policy.change', target: this.tenant === DEFAULT_TENANT ? `policy v${version}` : `policy v${version} tenant ${this.tenant}`, detail: comment });
    await this.config.createPolicyVersion(this.tenant, record);
    this.context.logger.log(`policy version ${version} of tenant ${this.tenant} by ${author}${comment ? `: ${comment}` : ''}`);
    this.publish(record);
    return this.document(record);
  }

  /** Stores INPUT as the first version of a new tenant's policy; ConflictError when it already has one. */
  async create(input: unknown, author: string, comment: string): Promise<VersionedPolicy> {
    return this.serialised(async () => {
      const policy = validate(input);
      if ((await this.config.currentPolicyVersion(this.tenant)) !== undefined) throw new ConflictError(`tenant ${this.tenant} already has a policy`);
      const doc = await this.commit(policy, author, comment);
      return { version: doc.version, policy: parsePolicy(doc.json) };
    });
  }

  /** Follows a change of the current version seen in the config of record (from any replica). */
  async follow(version: number): Promise<void> {
    if (version > (this.current?.version ?? 0)) await this.load(version);
  }

  /** The current document, undefined before it was read. */
  loaded(): PolicyDocument | undefined {
    return this.current;
  }

  private async load(version: number): Promise<void> {
    const record = await this.config.getPolicyVersion(this.tenant, version);
    if (!record) throw new Error(`tenant ${this.tenant}'s current policy is version ${version}, which is not stored`);
    this.publish(record);
  }

  private publish(record: PolicyVersionRecord): void {
    if (this.current && record.version <= this.current.version) return;
    const doc = this.document(record);
    this.current = doc;
    for (const listener of this.listeners) listener(doc);
  }

  private document(record: PolicyVersionRecord): PolicyDocument {
    return { ...record, tenant: this.tenant, removed: false };
  }

  private async currentDocument(): Promise<PolicyDocument> {
    if (this.current) return this.current;
    const version = await this.config.currentPolicyVersion(this.tenant);
    if (version === undefined) {
      if (this.tenant === DEFAULT_TENANT) throw new UnavailableError('no policy stored yet; the CSM is still starting');
      throw new NotFoundError(`no tenant ${this.tenant}`);
    }
    await this.load(version);
    if (!this.current) throw new UnavailableError('policy not loaded');
    return this.current;
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.changes.then(task, task);
    this.changes = result.catch(() => undefined);
    return result;
  }
}

/**
 * Every tenant's policy (F18). Tenant "default" (whose policy is stored first, from MOAT_BOOTSTRAP_POLICY or the
 * default) is the one the methods inherited from TenantPolicy act on; `of(tenant)` gives any tenant's. Nodes watch
 * all of them (`watchAll`).
 */
@Injectable()
export class PolicyService extends TenantPolicy implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stopping = new AbortController();
  private readonly tenants = new Map<string, TenantPolicy>();
  private readonly fleetListeners = new Set<Listener>();

  constructor(
    config: ConfigRepository,
    audit: AuditService,
    private readonly csmConfig: CsmConfig,
  ) {
    super(DEFAULT_TENANT, { config, audit, logger: new Logger('policy'), domainsOfOthers: async () => new Map() });
    this.context.domainsOfOthers = (tenant) => this.domainsOfOthers(tenant);
    this.tenants.set(DEFAULT_TENANT, this);
    this.watch(0, (doc) => this.tellFleet(doc));
  }

  onApplicationBootstrap(): void {
    void retryUntilDone('policy start-up', () => this.bootstrapAndWatch(), this.stopping.signal, this.context.logger);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /** Stores the first policy (MOAT_BOOTSTRAP_POLICY or the default) when none exists, then follows every tenant's changes. */
  async bootstrapAndWatch(): Promise<void> {
    if ((await this.context.config.currentPolicyVersion(DEFAULT_TENANT)) === undefined) {
      const policy = await this.bootstrapPolicy();
      await this.commit(policy, 'bootstrap', this.csmConfig.bootstrapPolicyFile ? `loaded from ${this.csmConfig.bootstrapPolicyFile}` : 'default policy');
    }
    for await (const { tenant, version } of this.context.config.watchCurrentPolicy(this.stopping.signal)) {
      if (version === 0) this.forget(tenant);
      else await this.of(tenant).follow(version);
    }
    if (!this.stopping.signal.aborted) throw new Error('policy watch ended');
  }

  /** TENANT's policy (whether the tenant exists is the registry's business: an unknown one has no policy, 404). */
  of(tenant: string): TenantPolicy {
    let policy = this.tenants.get(tenant);
    if (!policy) {
      policy = new TenantPolicy(tenant, this.context);
      policy.watch(0, (doc) => this.tellFleet(doc));
      this.tenants.set(tenant, policy);
    }
    return policy;
  }

  /**
   * The policy of the current API call's tenant (util/tenant-scope.ts): tenant default's for a call that sees
   * every tenant (a super admin without `?tenant=`) and for the CSM's own work.
   */
  scoped(): TenantPolicy {
    return this.of(scopedTenant() ?? DEFAULT_TENANT);
  }

  /**
   * Whether the current call may act on NAME (a domain, a subdomain or a wildcard of one): one of its tenant's
   * domains or below one; every name for a call that sees every tenant.
   */
  async ownsDomain(name: string): Promise<boolean> {
    const tenant = scopedTenant();
    if (tenant === undefined) return true;
    const wanted = name.toLowerCase();
    const { policy } = await this.of(tenant).get();
    return policy.domains.some((d) => wanted === d.name || wanted.endsWith(`.${d.name}`));
  }

  /** ITEMS whose domain the current call may act on (ownsDomain), in order. */
  async owned<T extends { domain: string }>(items: readonly T[]): Promise<T[]> {
    const owned: T[] = [];
    for (const item of items) if (await this.ownsDomain(item.domain)) owned.push(item);
    return owned;
  }

  /** The policy of the tenant that has DOMAIN (tenant default's when none has it). */
  async ownerOf(domain: string): Promise<TenantPolicy> {
    for (const policy of this.tenants.values()) if (policy.loaded() && (await policy.get()).policy.domains.some((d) => d.name === domain)) return policy;
    return this;
  }

  /** Drops every version of TENANT's policy (its removal from the registry) and tells the nodes. */
  async remove(tenant: string): Promise<void> {
    if (tenant === DEFAULT_TENANT) throw new InvalidInputError(`tenant ${DEFAULT_TENANT} cannot be removed`);
    await this.context.config.deletePolicies(tenant);
    this.forget(tenant);
  }

  /**
   * Sends LISTENER each tenant's current document that is newer than HAVE says the node runs (absent: none),
   * then every new version of any tenant's policy and a `removed` document for a tenant removed, until the
   * returned function is called.
   */
  watchAll(have: ReadonlyMap<string, number>, listener: Listener): () => void {
    for (const [tenant, policy] of this.tenants) {
      const doc = policy.loaded();
      if (doc && doc.version > (have.get(tenant) ?? 0)) listener(doc);
    }
    for (const tenant of have.keys()) if (!this.tenants.has(tenant)) listener(removedDocument(tenant));
    this.fleetListeners.add(listener);
    return () => this.fleetListeners.delete(listener);
  }

  private forget(tenant: string): void {
    if (tenant === DEFAULT_TENANT || !this.tenants.delete(tenant)) return;
    this.tellFleet(removedDocument(tenant));
  }

  private tellFleet(doc: PolicyDocument): void {
    for (const listener of this.fleetListeners) listener(doc);
  }

  private async domainsOfOthers(tenant: string): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    for (const [id, policy] of this.tenants) {
      if (id === tenant || !policy.loaded()) continue;
      for (const domain of (await policy.get()).policy.domains) owners.set(domain.name, id);
    }
    return owners;
  }

  private async bootstrapPolicy(): Promise<Policy> {
    const file = this.csmConfig.bootstrapPolicyFile;
    if (!file) return defaultPolicy();
    try {
      return parsePolicy(await readFile(file, 'utf8'));
    } catch (err) {
      // A broken bootstrap file is an operator error: say exactly what is wrong and keep retrying (the file may be fixed).
      const problems = err instanceof PolicyValidationError ? err.problems.join('; ') : errorMessage(err);
      throw new Error(`MOAT_BOOTSTRAP_POLICY ${file} is not a valid policy: ${problems}`);
    }
  }
}

function removedDocument(tenant: string): PolicyDocument {
  return { version: 0, json: '', sha256: '', createdAtMs: Date.now(), author: '', comment: 'tenant removed', tenant, removed: true };
}

function validate(input: unknown): Policy {
  try {
    return parsePolicy(input);
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new InvalidInputError('invalid policy', err.problems);
    throw err;
  }
}

function parseListEdit(input: unknown): ListEdit {
  const body = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const problems: string[] = [];
  const { op, kind, value, values, domain, comment } = body;
  if (op !== 'add' && op !== 'remove') problems.push('op: must be "add" or "remove"');
  const listKind = typeof kind === 'string' && isListKind(kind) ? kind : undefined;
  if (!listKind) problems.push(`kind: must be one of ${Object.keys(LIST_KINDS).join(', ')}`);
  let entries: string[] = [];
  if (values !== undefined) {
    if (!Array.isArray(values) || values.length > MAX_LIST_LINES || !values.every((v) => typeof v === 'string')) problems.push(`values: must be a list of at most ${MAX_LIST_LINES} lines`);
    else {
      values.forEach((line: string, index) => {
        const entry = line.trim();
        if (entry === '') return;
        const problem = op === 'add' && listKind ? listEntryProblem(listKind, entry) : undefined;
        if (problem) problems.push(`line ${index + 1}: "${entry.slice(0, 100)}" ${problem}`);
        entries.push(entry);
      });
      if (entries.length === 0 && problems.length === 0) problems.push('values: no entry (every line is empty)');
    }
  } else if (typeof value !== 'string' || value.trim() === '') problems.push('value: must be a non-empty string');
  else entries = [value];
  if (domain !== undefined && domain !== null && typeof domain !== 'string') problems.push('domain: must be a string');
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > 500)) problems.push('comment: must be a text of at most 500 characters');
  if (problems.length) throw new InvalidInputError('invalid list edit', problems);
  return { op: op as ListEdit['op'], kind: listKind as ListEdit['kind'], entries, domain: typeof domain === 'string' && domain ? domain : undefined, comment: typeof comment === 'string' ? comment.trim() : undefined };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
