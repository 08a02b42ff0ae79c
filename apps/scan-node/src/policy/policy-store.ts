import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compilePolicy, type CompiledPolicy } from '@moat/pipeline';
import { defaultPolicy, IpSet, parsePolicy, PolicyValidationError, type Policy, type PolicyDomain } from '@moat/policy';
import type { PolicyDocument } from '@moat/proto/grpc';
import { writeFileAtomically } from '../storage/durable-fs.js';

/** One policy version, compiled once and shared by every session that started under it. */
export interface ActivePolicy {
  readonly version: number;
  readonly policy: Policy;
  readonly compiled: CompiledPolicy;
  readonly trustedNetworks: IpSet;
  /** Tenant domains by lower-case name, for routing to their downstream. */
  readonly domains: ReadonlyMap<string, PolicyDomain>;
}

/** `<data>/policy.json`: the last policy the node received, so that it restarts without the CSM. */
export interface PersistedPolicy {
  version: number;
  policy: unknown;
}

export const POLICY_FILE = 'policy.json';

/**
 * Holds the node's current policy. A new version is validated, compiled and persisted before it replaces the
 * current one in a single assignment; sessions keep the ActivePolicy they started with.
 */
export class PolicyStore {
  private active: ActivePolicy;
  private applying: Promise<unknown> = Promise.resolve();
  private readonly listeners: Array<(policy: ActivePolicy) => void> = [];

  private constructor(
    private readonly file: string,
    initial: ActivePolicy,
  ) {
    this.active = initial;
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
    return new PolicyStore(file, activate(parsePolicy(persisted.policy), persisted.version));
  }

  get current(): ActivePolicy {
    return this.active;
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
    if (doc.version <= this.active.version) return false;
    if (doc.sha256 && createHash('sha256').update(doc.json).digest('hex') !== doc.sha256.toLowerCase()) {
      throw new PolicyValidationError([`policy version ${doc.version}: sha256 does not match its JSON`]);
    }
    const raw = parseJson(doc.json, `policy version ${doc.version}`);
    const next = activate(parsePolicy(raw), doc.version);
    const persisted: PersistedPolicy = { version: doc.version, policy: raw };
    await writeFileAtomically(this.file, `${JSON.stringify(persisted, null, 2)}\n`);
    this.active = next;
    for (const listener of this.listeners) listener(next);
    return true;
  }
}

function activate(policy: Policy, version: number): ActivePolicy {
  return {
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
  const { version, policy } = value as { version: unknown; policy: unknown };
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new PolicyValidationError([`${file}: version must be a non-negative integer`]);
  }
  return { version, policy };
}
