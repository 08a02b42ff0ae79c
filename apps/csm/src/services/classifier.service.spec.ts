import type { ControlCommand } from '@moat/proto/grpc';
import { beforeEach, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import type { MailDetail } from '../repositories/event-store.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryModelRepository, InMemoryQuarantine, testAudit, testConfig, testNodeCa } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../util/errors.js';
import { ClassifierService } from './classifier.service.js';
import { ControlService } from './control.service.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { MailService } from './mail.service.js';
import { PolicyService } from './policy.service.js';

/** The envelope of a classifier model file (what the CSM reads of one): magic, format 1, JSON header, CRC-32. */
function modelFile(version: string): Buffer {
  const header = Buffer.from(JSON.stringify({ version }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const body = Buffer.concat([Buffer.from('MOATCLF', 'latin1'), Buffer.from([1]), length, header, Buffer.alloc(12)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body));
  return Buffer.concat([body, crc]);
}

const quarantined = (id: string, action: MailDetail['action'] = 'quarantine') => ({ id, nodeId: 'n1', action }) as MailDetail;

describe('ClassifierService', () => {
  let models: InMemoryModelRepository;
  let store: InMemoryEventStore;
  let policy: PolicyService;
  let control: ControlService;
  let service: ClassifierService;
  let commands: ControlCommand[];

  beforeEach(async () => {
    models = new InMemoryModelRepository();
    store = new InMemoryEventStore();
    const audit = testAudit(store);
    policy = new PolicyService(new InMemoryConfigRepository(), audit, testConfig());
    const fleet = new FleetService(new InMemoryConfigRepository(), audit, testConfig(), new ExportLogService(store), testNodeCa());
    await policy.bootstrapAndWatch().catch(() => undefined);
    control = new ControlService();
    service = new ClassifierService(models, policy, control, new MailService(store, control, audit, fleet, new InMemoryQuarantine(), policy), audit, testConfig());
    await service.storeShippedModel();
    commands = [];
  });

  /** A node that learns every report into model LEARNED, storing it as a node does. */
  const nodeLearning = (nodeId: string, learned: string) =>
    control.attach(nodeId, {
      send: (c) => {
        commands.push(c);
        queueMicrotask(() => {
          void models.put(learned, modelFile(learned), { source: 'report spam', base: '' }).then(() => control.onReply(nodeId, { commandId: c.commandId, ok: true, error: '', detail: 'learned', modelVersion: learned }));
        });
      },
    });

  it('stores the shipped model at start and reports it as the one in use while the policy names none', async () => {
    const status = await service.status();
    expect(status.activeModelVersion).toBe(status.shippedModelVersion);
    expect(status.settings).toMatchObject({ enabled: true, modelVersion: '' });
    expect(status.models).toEqual([expect.objectContaining({ version: status.shippedModelVersion, source: 'shipped' })]);
    expect((await service.model('current')).version).toBe(status.shippedModelVersion);
  });

  it('refuses a model version that is not one (non-ASCII, upper case, path) with 400, and a missing one with 404', async () => {
    for (const version of ['모델버전', '00112233AABBCCDD', '../policy', '']) await expect(service.model(version)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.model('ffffffffffffffff')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('makes an uploaded model current in a new, commented policy version', async () => {
    const result = await service.upload({ model: modelFile('00112233aabbccdd').toString('base64'), comment: 'trained on March' }, 'admin');
    expect(result).toEqual({ modelVersion: '00112233aabbccdd', policyVersion: 2 });
    expect((await policy.get()).policy.classifier.modelVersion).toBe('00112233aabbccdd');
    expect((await policy.versions()).at(-1)).toMatchObject({ author: 'admin', comment: 'trained on March' });
    expect((await service.model('current')).bytes.equals(modelFile('00112233aabbccdd'))).toBe(true);
  });

  it('refuses a damaged or foreign upload with the reason', async () => {
    const damaged = modelFile('00112233aabbccdd');
    damaged[20] ^= 1;
    await expect(service.upload({ model: damaged.toString('base64') }, 'admin')).rejects.toMatchObject({ problems: ['model: checksum mismatch (file truncated or corrupted)'] });
    await expect(service.upload({ model: Buffer.from('hello world, not a model').toString('base64') }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(service.upload({ model: 42 }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    expect(policy.currentVersion()).toBe(1);
  });

  it('has the receiving node learn a quarantined message into the current model, then makes the result current', async () => {
    store.mail.set('m1', quarantined('m1'));
    nodeLearning('n1', 'aaaaaaaaaaaaaaaa');
    const result = await service.report('m1', { kind: 'spam' }, 'admin');
    expect(result).toEqual({ ok: true, nodeId: 'n1', detail: 'learned', modelVersion: 'aaaaaaaaaaaaaaaa', policyVersion: 2 });
    expect(commands[0]?.command).toEqual({ $case: 'report', value: { messageId: 'm1', raw: new Uint8Array(0), spam: true, baseModelVersion: '' } });
    expect((await policy.get()).policy.classifier.modelVersion).toBe('aaaaaaaaaaaaaaaa');
    expect(store.audit.map((a) => a.action)).toContain('classifier.report_spam');

    // The next report learns into the model the first one made.
    store.mail.set('m2', quarantined('m2', 'hold'));
    nodeLearning('n1', 'bbbbbbbbbbbbbbbb');
    await service.report('m2', { kind: 'ham' }, 'admin');
    expect(commands[1]?.command).toMatchObject({ value: { messageId: 'm2', spam: false, baseModelVersion: 'aaaaaaaaaaaaaaaa' } });
  });

  it('says why it cannot report delivered mail, and what to do instead', async () => {
    store.mail.set('d1', quarantined('d1', 'deliver'));
    await expect(service.report('d1', { kind: 'spam' }, 'admin')).rejects.toThrow(ConflictError);
    await expect(service.report('d1', { kind: 'spam' }, 'admin')).rejects.toThrow(/POST \/api\/classifier\/learn/);
    await expect(service.report('d1', { kind: 'junk' }, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('learns an uploaded message through any node; without a node it is unavailable', async () => {
    const message = Buffer.from('Subject: cheap pills\r\n\r\nbuy now\r\n');
    await expect(service.learn({ kind: 'spam', message: message.toString('base64') }, 'admin')).rejects.toBeInstanceOf(UnavailableError);
    nodeLearning('n2', 'cccccccccccccccc');
    const result = await service.learn({ kind: 'spam', message: message.toString('base64') }, 'admin');
    expect(result).toMatchObject({ ok: true, nodeId: 'n2', modelVersion: 'cccccccccccccccc' });
    expect(commands[0]?.command).toMatchObject({ value: { messageId: '', spam: true } });
    await expect(service.learn({ kind: 'spam', message: Buffer.alloc(4 * 1024 * 1024, 65).toString('base64') }, 'admin')).rejects.toMatchObject({ message: 'message too large' });
  });

  it('keeps the model when the node fails or names a model it did not store', async () => {
    store.mail.set('m1', quarantined('m1'));
    control.attach('n1', { send: (c) => queueMicrotask(() => control.onReply('n1', { commandId: c.commandId, ok: false, error: 'message m1 is not in quarantine', detail: '', modelVersion: '' })) });
    await expect(service.report('m1', { kind: 'spam' }, 'admin')).resolves.toMatchObject({ ok: false, detail: 'message m1 is not in quarantine' });
    control.attach('n1', { send: (c) => queueMicrotask(() => control.onReply('n1', { commandId: c.commandId, ok: true, error: '', detail: '', modelVersion: 'dddddddddddddddd' })) });
    await expect(service.report('m1', { kind: 'spam' }, 'admin')).rejects.toBeInstanceOf(UnavailableError);
    expect((await policy.get()).policy.classifier.modelVersion).toBe('');
  });
});
