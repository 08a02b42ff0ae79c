import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyDocument } from '@moat/proto/grpc';
import { beforeEach, describe, expect, it } from 'vitest';
import { InMemoryConfigRepository, InMemoryEventStore, testAudit, testConfig } from '../testing/in-memory-repositories.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../util/errors.js';
import { PolicyService } from './policy.service.js';

describe('PolicyService', () => {
  let config: InMemoryConfigRepository;
  let store: InMemoryEventStore;
  let service: PolicyService;

  beforeEach(async () => {
    config = new InMemoryConfigRepository();
    store = new InMemoryEventStore();
    service = new PolicyService(config, testAudit(store, config), testConfig());
    await service.bootstrapAndWatch().catch(() => undefined);
  });

  it('stores the default policy as version 1 on first start', async () => {
    const { version, policy } = await service.get();
    expect(version).toBe(1);
    expect(policy.domains).toEqual([]);
    expect(config.policies.get(1)).toMatchObject({ author: 'bootstrap', comment: 'default policy' });
  });

  it('loads MOAT_BOOTSTRAP_POLICY when set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moat-policy-'));
    const file = join(dir, 'policy.json');
    await writeFile(file, JSON.stringify({ domains: [{ name: 'Example.TEST', downstream: { host: 'mx' } }] }));
    const fresh = new InMemoryConfigRepository();
    const bootstrapped = new PolicyService(fresh, testAudit(store, fresh), testConfig({ MOAT_BOOTSTRAP_POLICY: file }));
    await bootstrapped.bootstrapAndWatch().catch(() => undefined);
    expect((await bootstrapped.get()).policy.domains[0]?.name).toBe('example.test');
    await rm(dir, { recursive: true });
  });

  it('refuses an invalid policy with one problem per field and stores nothing', async () => {
    const err = await service.put({ smtp: { maxRecipients: 0 }, bogus: 1 }, 'admin', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).problems).toEqual([expect.stringContaining('smtp.maxRecipients'), expect.stringContaining('bogus')]);
    expect(config.current).toBe(1);
  });

  it('audits each change, stores it as the next version and sends it to watchers', async () => {
    const seen: PolicyDocument[] = [];
    const stop = service.watch(1, (doc) => seen.push(doc));
    const result = await service.put({ lists: { ipBlock: ['192.0.2.1'] } }, 'admin', 'block one');
    stop();
    expect(result.version).toBe(2);
    expect(seen.map((d) => d.version)).toEqual([2]);
    expect(JSON.parse(seen[0]!.json).lists.ipBlock).toEqual(['192.0.2.1']);
    expect(store.audit.at(-1)).toMatchObject({ admin: 'admin', action: 'policy.change', target: 'policy v2', detail: 'block one' });
  });

  it('does not store a change whose audit entry cannot be written', async () => {
    store.failInserts = new Error('clickhouse down');
    await expect(service.put({}, 'admin', '')).rejects.toThrow('clickhouse down');
    expect(config.current).toBe(1);
  });

  it('sends the current document to a new watcher only when it is newer than what the node has', () => {
    const seen: number[] = [];
    service.watch(0, (doc) => seen.push(doc.version))();
    service.watch(1, (doc) => seen.push(doc.version))();
    expect(seen).toEqual([1]);
  });

  it('edits a list as a new version, and makes none when nothing changes', async () => {
    expect(await service.editList({ op: 'add', kind: 'sender-block', value: 'Spam@Example.com' }, 'cli')).toEqual({ version: 2, values: ['spam@example.com'] });
    expect(await service.editList({ op: 'add', kind: 'sender-block', value: 'spam@example.com' }, 'cli')).toEqual({ version: 2, values: ['spam@example.com'] });
    expect(await service.editList({ op: 'remove', kind: 'sender-block', value: 'spam@example.com' }, 'cli')).toEqual({ version: 3, values: [] });
    expect(config.policies.get(2)?.comment).toBe('list add sender-block Spam@Example.com');
  });

  it('explains a bad list edit', async () => {
    const err = await service.editList({ op: 'add', kind: 'ip-block', value: 'not-an-ip' }, 'cli').catch((e: unknown) => e);
    expect((err as InvalidInputError).problems).toEqual([expect.stringContaining('ipBlock')]);
    const bad = await service.editList({ op: 'drop', kind: 'nope', value: '' }, 'cli').catch((e: unknown) => e);
    expect((bad as InvalidInputError).problems).toHaveLength(3);
    await expect(service.editList({ op: 'add', kind: 'ip-block', value: '192.0.2.1', domain: 'unknown.test' }, 'cli')).rejects.toThrow('unknown domain');
  });

  it('publishes a pasted list as one version with its comment, and names each bad line', async () => {
    const pasted = ['192.0.2.1', '', ' 198.51.100.0/24 ', '192.0.2.1'];
    expect(await service.editList({ op: 'add', kind: 'ip-block', values: pasted, comment: 'ticket 42' }, 'admin')).toEqual({ version: 2, values: ['192.0.2.1', '198.51.100.0/24'] });
    expect(config.policies.get(2)?.comment).toBe('ticket 42');
    const bad = await service.editList({ op: 'add', kind: 'ip-block', values: ['192.0.2.9', 'not-an-ip', '', '10.0.0.0/40'] }, 'admin').catch((e: unknown) => e);
    expect((bad as InvalidInputError).problems).toEqual([
      'line 2: "not-an-ip" must be an IPv4/IPv6 address or CIDR block',
      'line 4: "10.0.0.0/40" must be an IPv4/IPv6 address or CIDR block',
    ]);
    expect(config.current).toBe(2);
    expect(await service.editList({ op: 'remove', kind: 'ip-block', values: ['192.0.2.1', '198.51.100.0/24'] }, 'admin')).toEqual({ version: 3, values: [] });
    expect(config.policies.get(3)?.comment).toBe('list remove ip-block 2 entries');
    const empty = await service.editList({ op: 'add', kind: 'ip-block', values: ['', ' '] }, 'admin').catch((e: unknown) => e);
    expect((empty as InvalidInputError).problems).toEqual(['values: no entry (every line is empty)']);
  });

  it('refuses a mail-stopping change unless confirmed, diffs versions and rolls back as a new version', async () => {
    const withDomain = { domains: [{ name: 'example.test', downstream: { host: 'mx.example.test' } }] };
    await service.put(withDomain, 'admin', 'add domain');
    const refused = await service.put({}, 'admin', 'oops').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).problems).toEqual(['no domains left: every message will be refused (relaying denied)']);
    expect(config.current).toBe(2);
    await expect(service.check({})).resolves.toMatchObject({ version: 2, warnings: [expect.stringMatching(/^no domains left/)], changes: [{ path: 'domains[example.test]', op: 'remove' }] });

    await service.put({ ...withDomain, thresholds: { tag: 3, quarantine: 8, reject: 12 } }, 'admin', 'stricter');
    await expect(service.diff(2, 3)).resolves.toEqual({
      from: 2,
      to: 3,
      changes: [
        { path: 'thresholds.tag', op: 'change', from: 5, to: 3 },
        { path: 'thresholds.quarantine', op: 'change', from: 10, to: 8 },
        { path: 'thresholds.reject', op: 'change', from: 15, to: 12 },
      ],
    });
    await expect(service.diff(undefined, undefined)).resolves.toMatchObject({ from: 2, to: 3 });

    const back = await service.rollback(2, 'admin', '');
    expect(back.version).toBe(4);
    expect(back.policy.thresholds.reject).toBe(15);
    expect((await service.versions()).at(-1)).toMatchObject({ version: 4, comment: 'rollback to version 2' });
    await expect(service.rollback(1, 'admin', '')).rejects.toBeInstanceOf(ConflictError);
    await expect(service.rollback(1, 'admin', 'empty on purpose', true)).resolves.toMatchObject({ version: 5 });
    await expect(service.rollback(99, 'admin', '')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.diff(0, 1)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('gives one stored version with its author, comment and document', async () => {
    await service.put({ thresholds: { tag: 4, quarantine: 10, reject: 15 } }, 'alice', 'tag earlier');
    const detail = await service.version(2);
    expect(detail).toMatchObject({ version: 2, author: 'alice', comment: 'tag earlier', policy: { thresholds: { tag: 4 } } });
    expect(detail.createdAtMs).toBeGreaterThan(0);
    await expect(service.version(3)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.version(0)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("keeps one policy with its versions per tenant, domains unique across tenants, and tells watchers of every tenant", async () => {
    await service.put({ domains: [{ name: 'example.test', downstream: { host: 'mx' } }] }, 'admin', '');
    const seen: PolicyDocument[] = [];
    const stop = service.watchAll(new Map([['default', 0]]), (doc) => seen.push(doc));
    expect(seen.map((d) => [d.tenant, d.version])).toEqual([['default', 2]]);

    const acme = await service.of('acme').create({ tenant: { id: 'ignored', name: 'Acme' }, domains: [{ name: 'acme.test', downstream: { host: 'mx.acme' } }] }, 'admin', 'added');
    expect(acme.version).toBe(1);
    expect(acme.policy.tenant).toEqual({ id: 'acme', name: 'Acme' });
    expect((await service.get()).version).toBe(2);
    expect(await service.of('acme').versions()).toEqual([expect.objectContaining({ version: 1, comment: 'added' })]);
    expect(store.audit.at(-1)).toMatchObject({ action: 'policy.change', target: 'policy v1 tenant acme' });

    // A domain of another tenant is refused, whichever claims it.
    const claimed = await service.of('acme').put({ domains: [{ name: 'acme.test', downstream: { host: 'mx' } }, { name: 'example.test', downstream: { host: 'mx' } }] }, 'admin', '').catch((e: unknown) => e);
    expect(claimed).toBeInstanceOf(ConflictError);
    expect((claimed as ConflictError).problems).toEqual(['domains: example.test belongs to tenant default']);
    await expect(service.put({ domains: [{ name: 'acme.test', downstream: { host: 'mx' } }] }, 'admin', '', true)).rejects.toBeInstanceOf(ConflictError);
    await expect(service.of('nobody').get()).rejects.toBeInstanceOf(NotFoundError);

    await service.remove('acme');
    stop();
    expect(seen.map((d) => [d.tenant, d.version, d.removed])).toEqual([
      ['default', 2, false],
      ['acme', 1, false],
      ['acme', 0, true],
    ]);
    await expect(service.of('acme').get()).rejects.toBeInstanceOf(NotFoundError);
    // A node that still runs a removed tenant's policy is told at once.
    const late: PolicyDocument[] = [];
    service.watchAll(new Map([['default', 2], ['gone', 3]]), (doc) => late.push(doc))();
    expect(late).toEqual([expect.objectContaining({ tenant: 'gone', removed: true })]);
  });
});
