import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefaultModel, serializeModel, trainModel, type SpamModel } from '@moat/classifier';
import type { ObjectInfo } from '@nats-io/obj';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { ClassifierModels, type ModelStore } from './classifier-models.js';

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const message = (text: string) => Buffer.from(`From: a@sender.test\r\nSubject: ${text}\r\n\r\n${text}\r\n`);

function tinyModel(spamWord: string): SpamModel {
  const examples = [
    { raw: message(`${spamWord} now cheap offer`), spam: true },
    { raw: message(`${spamWord} prize claim today`), spam: true },
    { raw: message('meeting agenda for tuesday'), spam: false },
    { raw: message('project budget review notes'), spam: false },
  ];
  return trainModel([...examples, ...examples], { hashBits: 10, calibrationShare: 0 });
}

/** The object store as the node sees it, in memory; `available` false stands for NATS being down. */
class MemoryModelStore implements ModelStore {
  readonly objects = new Map<string, Uint8Array>();
  available = true;

  source = async (): Promise<ModelStore | undefined> => (this.available ? this : undefined);
  async info(name: string): Promise<ObjectInfo | null> {
    return this.objects.has(name) ? ({ name } as ObjectInfo) : null;
  }
  async getBlob(name: string): Promise<Uint8Array | null> {
    return this.objects.get(name) ?? null;
  }
  async putBlob(meta: { name: string }, data: Uint8Array | null): Promise<ObjectInfo> {
    this.objects.set(meta.name, data ?? new Uint8Array(0));
    return { name: meta.name } as ObjectInfo;
  }
}

describe('ClassifierModels', () => {
  let dir: string;
  let store: MemoryModelStore;
  const a = tinyModel('lottery');
  const b = tinyModel('pills');

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-models-'));
    store = new MemoryModelStore();
    store.objects.set(a.version, serializeModel(a));
    store.objects.set(b.version, serializeModel(b));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const models = () => new ClassifierModels(dir, store.source, silent);

  it('uses the shipped model for "" and a fetched, cached model for a version', async () => {
    const m = models();
    await m.use('');
    expect(m.version).toBe(loadDefaultModel().version);
    await m.use(a.version);
    expect(m.version).toBe(a.version);
    expect(await readdir(dir)).toEqual([`${a.version}.model`]);
    m.stop();
  });

  it('starts from its cache when NATS is down', async () => {
    await models().use(a.version);
    store.available = false;
    const restarted = models();
    await restarted.use(a.version);
    expect(restarted.version).toBe(a.version);
    restarted.stop();
  });

  it('keeps the model it has when the new version cannot be had, and takes it once it can', async () => {
    const m = models();
    await m.use(a.version);
    store.available = false;
    await m.use(b.version);
    expect(m.version).toBe(a.version);
    store.available = true;
    m.retryNow();
    await expect.poll(() => m.version).toBe(b.version);
    m.stop();
  });

  it('scores with the shipped model on a first start without NATS', async () => {
    store.available = false;
    const m = models();
    await m.use(a.version);
    expect(m.version).toBe(loadDefaultModel().version);
    m.stop();
  });

  it('refuses an object that is not the version asked for, or is damaged', async () => {
    store.objects.set('ffffffffffffffff', serializeModel(a));
    const m = models();
    await m.use('ffffffffffffffff');
    expect(m.version).toBe(loadDefaultModel().version);
    const damaged = serializeModel(b);
    damaged[damaged.length - 10] ^= 0xff;
    store.objects.set(b.version, damaged);
    await m.use(b.version);
    expect(m.version).toBe(loadDefaultModel().version);
    m.stop();
  });

  it('fetches again when its cached copy is damaged', async () => {
    await writeFile(join(dir, `${a.version}.model`), 'not a model');
    const m = models();
    await m.use(a.version);
    expect(m.version).toBe(a.version);
    m.stop();
  });

  it('learns a report into a copy of the base model and stores the result under its new version', async () => {
    const m = models();
    await m.use(a.version);
    const result = await m.learn(a.version, message('quarterly budget review with cheap offer'), true);
    expect(result.version).not.toBe(a.version);
    expect(result.after).toBeGreaterThan(result.before);
    expect(store.objects.has(result.version)).toBe(true);
    expect(m.version).toBe(a.version);
    await m.use(result.version);
    expect(m.version).toBe(result.version);
    m.stop();
  });
});
