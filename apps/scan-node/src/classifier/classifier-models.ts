import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MODELS_BUCKET, openModelStore } from '@moat/bus';
import { deserializeModel, learnMessage, loadDefaultModel, ModelFormatError, serializeModel, type SpamModel } from '@moat/classifier';
import type { ClassifierModelSource } from '@moat/pipeline';
import type { ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorText, type Logger } from '../log.js';
import { writeFileAtomically } from '../storage/durable-fs.js';

const RETRY_MS = 10_000;
/** Cached versions kept besides the one in use (a policy rollback then needs no fetch). */
const KEEP_CACHED = 3;

/** What the node uses of the moat_models object store. */
export type ModelStore = Pick<ObjectStore, 'info' | 'getBlob' | 'putBlob'>;

/** Where model versions come from: the moat_models object store while NATS is usable, else undefined. */
export type ModelStoreSource = () => Promise<ModelStore | undefined>;

/** The moat_models object store over CONNECTION (opened once per connection). */
export function modelStoreOf(connection: () => NatsConnection | undefined): ModelStoreSource {
  let opened: { nc: NatsConnection; store: Promise<ObjectStore> } | undefined;
  return async () => {
    const nc = connection();
    if (!nc) return undefined;
    if (opened?.nc !== nc) opened = { nc, store: openModelStore(nc) };
    try {
      return await opened.store;
    } catch (err) {
      opened = undefined;
      throw err;
    }
  };
}

export interface LearnResult {
  version: string;
  /** The message's spam probability before and after learning it. */
  before: number;
  after: number;
}

/**
 * The node's classifier model, handed to the pipeline as ScanOptions.classifier. It follows the version the
 * policy names ("" = the model shipped with Moat): read from the cache in `<data>/models` or fetched from the
 * object store, verified (format CRC, and the content hash must be the version asked for), cached, then
 * swapped in by one assignment, so a message is scored by one model from start to end. While the version
 * cannot be had (NATS down, object missing) the node keeps the model it has and retries; on a start with
 * nothing cached it scores with the shipped model meanwhile, and the heartbeat says which one it uses.
 */
export class ClassifierModels implements ClassifierModelSource {
  model: SpamModel | undefined;
  private wanted = '';
  private loaded: string | undefined;
  private syncing: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(
    private readonly dir: string,
    private readonly store: ModelStoreSource,
    private readonly log: Logger,
  ) {}

  /** The version of the model in use, for the heartbeat's engine_versions. */
  get version(): string {
    return this.model?.version ?? 'none';
  }

  /** Makes VERSION the one to use and loads it; resolves once this attempt is over (loaded or retrying). */
  use(version: string): Promise<void> {
    this.wanted = version;
    return this.sync();
  }

  /** Tries again now if the wanted version is not loaded yet (NATS came back). */
  retryNow(): void {
    if (this.loaded !== this.wanted) void this.sync();
  }

  stop(): void {
    clearTimeout(this.retry);
  }

  /**
   * "Report spam" / "not spam": learns RAW into a copy of model BASEVERSION, stores the result in the object
   * store under its own version and caches it. The model in use changes only when the policy names the result.
   */
  async learn(baseVersion: string, raw: Buffer, spam: boolean): Promise<LearnResult> {
    const base = baseVersion === this.loaded && this.model ? this.model : await this.load(baseVersion);
    const learned = deserializeModel(serializeModel(base));
    const { before, after } = learnMessage(learned, raw, spam);
    const bytes = serializeModel(learned);
    const store = await this.store();
    if (!store) throw new Error('NATS is unavailable: the learned model cannot be stored');
    if (!(await store.info(learned.version))) {
      await store.putBlob({ name: learned.version, metadata: { base: baseVersion || 'shipped', source: spam ? 'report spam' : 'report ham' } }, bytes);
    }
    await this.cache(learned.version, bytes);
    return { version: learned.version, before, after };
  }

  private sync(): Promise<void> {
    this.syncing ??= this.syncNow().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    clearTimeout(this.retry);
    while (this.loaded !== this.wanted) {
      const version = this.wanted;
      try {
        const model = await this.load(version);
        this.model = model;
        this.loaded = version;
        this.failing = false;
        this.log.info(`classifier model ${model.version}${version === '' ? ' (shipped with Moat)' : ''} in use`);
        await this.prune(model.version);
      } catch (err) {
        if (!this.failing) this.log.warn(`classifier model ${version || '(shipped)'} unavailable, keeping ${this.model ? `model ${this.model.version}` : 'the shipped model'} and retrying: ${errorText(err)}`);
        this.failing = true;
        if (!this.model) {
          this.model = loadDefaultModel();
          this.loaded = '';
        }
        this.retry = setTimeout(() => this.retryNow(), RETRY_MS);
        this.retry.unref();
        return;
      }
    }
  }

  private async load(version: string): Promise<SpamModel> {
    if (version === '') return loadDefaultModel();
    const file = this.file(version);
    const cached = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (cached) {
      try {
        return verified(deserializeModel(cached), version);
      } catch (err) {
        this.log.warn(`cached classifier model ${file} is damaged, fetching it again: ${errorText(err)}`);
      }
    }
    const store = await this.store();
    if (!store) throw new Error('NATS is unavailable and the model is not cached');
    const bytes = await store.getBlob(version);
    if (!bytes) throw new Error(`model ${version} is not in the ${MODELS_BUCKET} object store`);
    const buffer = Buffer.from(bytes);
    const model = verified(deserializeModel(buffer), version);
    await this.cache(version, buffer);
    return model;
  }

  private async cache(version: string, bytes: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomically(this.file(version), bytes);
  }

  /** Keeps the model in use and the most recently written others. */
  private async prune(inUse: string): Promise<void> {
    const names = (await readdir(this.dir).catch(() => [])).filter((name) => name.endsWith('.model') && name !== `${inUse}.model`);
    const others = await Promise.all(names.map(async (name) => ({ name, mtimeMs: (await stat(join(this.dir, name))).mtimeMs })));
    others.sort((a, b) => b.mtimeMs - a.mtimeMs);
    await Promise.all(others.slice(KEEP_CACHED).map((o) => rm(join(this.dir, o.name), { force: true })));
  }

  private file(version: string): string {
    return join(this.dir, `${version}.model`);
  }
}

/** The object's name is the version the policy asked for; the model's own content hash must be the same. */
function verified(model: SpamModel, version: string): SpamModel {
  if (model.version !== version) throw new ModelFormatError(`asked for model ${version}, the file holds model ${model.version}`);
  return model;
}
