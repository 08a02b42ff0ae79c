import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClassifierPolicy } from '@moat/policy';
import type { ReportMessage } from '@moat/proto/grpc';
import { readFile } from 'node:fs/promises';
import { CsmConfig } from '../csm-config.js';
import type { ActionName } from '../repositories/event-store.repository.js';
import { ModelRepository, type ModelRecord } from '../repositories/model.repository.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { isModelVersion, readModelVersion } from '../util/model-file.js';
import { retryUntilDone } from '../util/retry.js';
import { AuditService } from './audit.service.js';
import { ControlService } from './control.service.js';
import { MailService } from './mail.service.js';
import { PolicyService } from './policy.service.js';

/** Actions after which the body is kept in the quarantine object store, so that a node can learn it. */
const BODY_KEPT: ActionName[] = ['quarantine', 'hold'];
/** An uploaded message travels to a node inside one Control command (gRPC's default limit is 4 MB). */
export const MAX_LEARN_BYTES = 3 * 1024 * 1024;

export type ReportKind = 'spam' | 'ham';

export interface ClassifierStatus {
  policyVersion: number;
  settings: ClassifierPolicy;
  /** The model nodes use: the policy's, or the shipped model's version when the policy names none. */
  activeModelVersion: string;
  shippedModelVersion: string;
  models: ModelRecord[];
}

export interface ModelChange {
  modelVersion: string;
  policyVersion: number;
}

export interface ReportResult {
  ok: boolean;
  nodeId: string;
  detail: string;
  /** Set when ok: the model that learned the message, now current in the policy. */
  modelVersion: string;
  policyVersion: number;
}

/**
 * Classifier models and retraining. Every model version lives in the object store (the shipped model is put
 * there at first start); the policy's `classifier.modelVersion` says which one nodes use, so a new model is a
 * new, audited policy version. Learning a reported message needs the classifier, which is scan-side code the
 * CSM does not import: a connected node learns it on a Control command and stores the result, then the CSM
 * makes that version current. Reports and uploads are made one at a time, so none is learned into a stale base.
 */
@Injectable()
export class ClassifierService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('classifier');
  private readonly stopping = new AbortController();
  private shipped: string | undefined;
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly models: ModelRepository,
    private readonly policy: PolicyService,
    private readonly control: ControlService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    private readonly config: CsmConfig,
  ) {}

  onApplicationBootstrap(): void {
    void retryUntilDone('storing the shipped classifier model', () => this.storeShippedModel(), this.stopping.signal, this.logger);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /** Puts the model shipped with Moat (MOAT_DEFAULT_MODEL) into the object store unless it is there. */
  async storeShippedModel(): Promise<void> {
    const bytes = await readFile(this.config.defaultModelFile);
    const version = readModelVersion(bytes);
    await this.models.put(version, bytes, { source: 'shipped', base: '' });
    this.shipped = version;
  }

  async status(): Promise<ClassifierStatus> {
    const { version, policy } = await this.policy.get();
    const shipped = this.shippedVersion();
    return { policyVersion: version, settings: policy.classifier, activeModelVersion: policy.classifier.modelVersion || shipped, shippedModelVersion: shipped, models: await this.models.list() };
  }

  /** A stored model's bytes ("current": the one in use). */
  async model(version: string): Promise<{ version: string; bytes: Buffer }> {
    if (version !== 'current' && !isModelVersion(version)) {
      throw new InvalidInputError('invalid model version', [`version: must be "current" or 16 lowercase hex digits, got ${JSON.stringify(version.slice(0, 40))}`]);
    }
    const wanted = version === 'current' ? (await this.status()).activeModelVersion : version;
    const bytes = await this.models.get(wanted);
    if (!bytes) throw new NotFoundError(`no classifier model ${wanted}`);
    return { version: wanted, bytes };
  }

  /** Stores an uploaded model (`moat train`) and makes it the one nodes use. */
  async upload(input: unknown, admin: string): Promise<ModelChange> {
    const body = objectOf(input);
    const bytes = base64Field(body, 'model', 'the model file');
    const comment = body['comment'];
    if (comment !== undefined && typeof comment !== 'string') throw new InvalidInputError('invalid model upload', ['comment: must be a string']);
    let version: string;
    try {
      version = readModelVersion(bytes);
    } catch (err) {
      throw new InvalidInputError('invalid classifier model', [`model: ${errorMessage(err)}`]);
    }
    return this.serialised(async () => {
      await this.models.put(version, bytes, { source: 'upload', base: '' });
      const { version: policyVersion } = await this.useModel(version, admin, comment || `classifier model ${version} uploaded`);
      return { modelVersion: version, policyVersion };
    });
  }

  /**
   * "Report spam" / "not spam" on a stored message. Only quarantined and held messages are kept; the body of
   * delivered or refused mail is not, so for those the admin uploads the .eml (`learn`).
   */
  async report(messageId: string, input: unknown, admin: string): Promise<ReportResult> {
    const kind = kindOf(objectOf(input));
    const mail = await this.mail.get(messageId);
    if (!BODY_KEPT.includes(mail.action)) {
      throw new ConflictError(`the body of message ${messageId} is not kept (action ${mail.action}; only quarantined and held messages are stored): upload the .eml with POST /api/classifier/learn`);
    }
    return this.learnOnNode({ messageId, raw: new Uint8Array(0), spam: kind === 'spam' }, `message ${messageId}`, admin, mail.nodeId);
  }

  /** Learns an uploaded message (base64 of the .eml) as spam or ham. */
  async learn(input: unknown, admin: string): Promise<ReportResult> {
    const body = objectOf(input);
    const kind = kindOf(body);
    const raw = base64Field(body, 'message', 'the message (.eml)');
    if (raw.length > MAX_LEARN_BYTES) throw new InvalidInputError('message too large', [`message: ${raw.length} bytes, at most ${MAX_LEARN_BYTES} can be learned`]);
    return this.learnOnNode({ messageId: '', raw, spam: kind === 'spam' }, 'an uploaded message', admin);
  }

  private learnOnNode(report: Omit<ReportMessage, 'baseModelVersion'>, what: string, admin: string, preferredNode?: string): Promise<ReportResult> {
    const kind = report.spam ? 'spam' : 'ham';
    return this.serialised(async () => {
      const base = (await this.policy.get()).policy.classifier.modelVersion;
      const nodeId = preferredNode && this.control.connected(preferredNode) ? preferredNode : this.control.connectedNodes()[0];
      if (!nodeId) throw new UnavailableError('no scan node is connected to the CSM to learn the message');
      const reply = await this.control.report(nodeId, { ...report, baseModelVersion: base }).catch((err: unknown) => ({ ok: false, error: errorMessage(err), detail: '', modelVersion: '' }));
      const target = report.messageId || 'uploaded message';
      if (!reply.ok) {
        await this.audit.recordQuietly({ admin, action: `classifier.report_${kind}`, target, detail: reply.error, ok: false });
        return { ok: false, nodeId, detail: reply.error || 'the node refused the report', modelVersion: '', policyVersion: this.policy.currentVersion() };
      }
      await this.checkStored(reply.modelVersion);
      await this.audit.record({ admin, action: `classifier.report_${kind}`, target, detail: `via node ${nodeId}: ${reply.detail}` });
      const { version: policyVersion } = await this.useModel(reply.modelVersion, admin, `report ${kind}: ${what} learned into classifier model ${reply.modelVersion}`);
      return { ok: true, nodeId, detail: reply.detail, modelVersion: reply.modelVersion, policyVersion };
    });
  }

  /** The node says it stored the learned model; nodes will fetch it, so it must be there and sound. */
  private async checkStored(version: string): Promise<void> {
    const bytes = await this.models.get(version);
    if (!bytes) throw new UnavailableError(`the node reported model ${version}, but it is not in the object store`);
    const inFile = readModelVersion(bytes);
    if (inFile !== version) throw new UnavailableError(`stored object ${version} holds model ${inFile}`);
  }

  private useModel(version: string, admin: string, comment: string) {
    return this.policy.modify((policy) => ({ ...policy, classifier: { ...policy.classifier, modelVersion: version } }), admin, comment);
  }

  private shippedVersion(): string {
    if (!this.shipped) throw new UnavailableError('the shipped classifier model is not stored yet; the CSM is still starting');
    return this.shipped;
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.changes.then(task, task);
    this.changes = result.catch(() => undefined);
    return result;
  }
}

function objectOf(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
}

function kindOf(body: Record<string, unknown>): ReportKind {
  const kind = body['kind'];
  if (kind !== 'spam' && kind !== 'ham') throw new InvalidInputError('invalid report', ['kind: must be "spam" or "ham"']);
  return kind;
}

function base64Field(body: Record<string, unknown>, field: string, what: string): Buffer {
  const value = body[field];
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(value)) throw new InvalidInputError(`invalid ${field}`, [`${field}: must be ${what}, base64-encoded`]);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 0) throw new InvalidInputError(`invalid ${field}`, [`${field}: is empty`]);
  return bytes;
}
