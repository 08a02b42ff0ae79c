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
import { ConfigRepository, type PolicyVersionRecord } from '../repositories/config.repository.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
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

/**
 * The tenant's policy: every change is validated, audited and stored as a new version in the config of record;
 * every node watching gets each new version. Changes made by another CSM replica arrive through the KV watch.
 */
@Injectable()
export class PolicyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('policy');
  private readonly stopping = new AbortController();
  private readonly listeners = new Set<Listener>();
  private current: PolicyDocument | undefined;
  /** Changes from this process are made one at a time, so they never race for a version number. */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: ConfigRepository,
    private readonly audit: AuditService,
    private readonly csmConfig: CsmConfig,
  ) {}

  onApplicationBootstrap(): void {
    void retryUntilDone('policy start-up', () => this.bootstrapAndWatch(), this.stopping.signal, this.logger);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /** Stores the first policy (MOAT_BOOTSTRAP_POLICY or the default) when none exists, then follows changes. */
  async bootstrapAndWatch(): Promise<void> {
    if ((await this.config.currentPolicyVersion()) === undefined) {
      const policy = await this.bootstrapPolicy();
      await this.commit(policy, 'bootstrap', this.csmConfig.bootstrapPolicyFile ? `loaded from ${this.csmConfig.bootstrapPolicyFile}` : 'default policy');
    }
    for await (const version of this.config.watchCurrentPolicy(this.stopping.signal)) {
      if (version > (this.current?.version ?? 0)) await this.load(version);
    }
    if (!this.stopping.signal.aborted) throw new Error('policy watch ended');
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
    const records = await this.config.listPolicyVersions();
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
    const record = await this.config.getPolicyVersion(version);
    if (!record) throw new NotFoundError(`no policy version ${version}`);
    return record;
  }

  private async commit(policy: Policy, author: string, comment: string): Promise<PolicyDocument> {
    const version = ((await this.config.currentPolicyVersion()) ?? 0) + 1;
    const json = JSON.stringify(policy);
    const record: PolicyVersionRecord = { version, json, sha256: sha256(json), createdAtMs: Date.now(), author, comment };
    // Audited before it is stored: a change is never in effect without its audit entry.
    await this.audit.record({ admin: author, action: 'policy.change', target: `policy v${version}`, detail: comment });
    await this.config.createPolicyVersion(record);
    this.logger.log(`policy version ${version} by ${author}${comment ? `: ${comment}` : ''}`);
    this.publish(record);
    return record;
  }

  private async load(version: number): Promise<void> {
    const record = await this.config.getPolicyVersion(version);
    if (!record) throw new Error(`policy.current points at version ${version}, which is not stored`);
    this.publish(record);
  }

  private publish(doc: PolicyDocument): void {
    if (this.current && doc.version <= this.current.version) return;
    this.current = doc;
    for (const listener of this.listeners) listener(doc);
  }

  private async currentDocument(): Promise<PolicyDocument> {
    if (this.current) return this.current;
    const version = await this.config.currentPolicyVersion();
    if (version === undefined) throw new UnavailableError('no policy stored yet; the CSM is still starting');
    await this.load(version);
    if (!this.current) throw new UnavailableError('policy not loaded');
    return this.current;
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

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.changes.then(task, task);
    this.changes = result.catch(() => undefined);
    return result;
  }
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
