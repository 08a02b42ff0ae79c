import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PolicyDocument } from '@moat/proto/grpc';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolicyStore } from './policy-store.js';

const doc = (version: number, policy: unknown): PolicyDocument => {
  const json = JSON.stringify(policy);
  return { version, json, sha256: createHash('sha256').update(json).digest('hex'), createdAtMs: 0, author: 'spec', comment: '', tenant: '', removed: false };
};
const tenant = (domain: string) => ({ domains: [{ name: domain, downstream: { host: '127.0.0.1', port: 2600 } }] });

describe('PolicyStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policy-spec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts on the default policy (no domains, relays nothing) when none was persisted', async () => {
    const store = await PolicyStore.open(dir);
    expect(store.current.version).toBe(0);
    expect(store.current.domains.size).toBe(0);
  });

  it('persists each applied version so a restart without the CSM runs it', async () => {
    const store = await PolicyStore.open(dir);
    const seen: number[] = [];
    store.onChange((p) => seen.push(p.version));
    expect(await store.apply(doc(3, tenant('example.test')))).toBe(true);
    expect(seen).toEqual([3]);
    expect(await store.apply(doc(2, tenant('old.test')))).toBe(false);

    const restarted = await PolicyStore.open(dir);
    expect(restarted.current.version).toBe(3);
    expect([...restarted.current.domains.keys()]).toEqual(['example.test']);
    expect(await readdir(dir)).toEqual(['policy.json']);
  });

  it('keeps the current policy, in memory and on disk, when a document is invalid or damaged', async () => {
    const store = await PolicyStore.open(dir);
    await store.apply(doc(1, tenant('example.test')));
    const before = await readFile(join(dir, 'policy.json'), 'utf8');
    const sessionPolicy = store.current;

    await expect(store.apply(doc(2, { domains: [{ name: 'not a domain' }] }))).rejects.toThrow(/domains\.0/);
    await expect(store.apply({ ...doc(3, tenant('evil.test')), sha256: 'ab'.repeat(32) })).rejects.toThrow(/sha256/);
    await expect(store.apply({ ...doc(4, {}), json: '{"domains": [' , sha256: '' })).rejects.toThrow(/not valid JSON/);

    expect(store.current).toBe(sessionPolicy);
    expect(await readFile(join(dir, 'policy.json'), 'utf8')).toBe(before);
  });

  it("keeps every tenant's policy, picks a domain's tenant, persists them and drops a removed tenant", async () => {
    const store = await PolicyStore.open(dir);
    await store.apply(doc(4, tenant('example.test')));
    await store.apply({ ...doc(1, { ...tenant('acme.test'), tenant: { id: 'acme', name: 'Acme' } }), tenant: 'acme' });
    expect(store.forDomain('acme.test')?.policy.tenant.id).toBe('acme');
    expect(store.forDomain('example.test')?.policy.tenant.id).toBe('default');
    expect(store.forAddress('x@unknown.test').policy.tenant.id).toBe('default');
    expect(store.domain('acme.test')?.downstream.port).toBe(2600);
    expect(store.tenantVersions()).toEqual({ acme: 1 });
    // A document naming another tenant than the one it is sent for is refused.
    await expect(store.apply({ ...doc(2, tenant('evil.test')), tenant: 'acme' })).rejects.toThrow(/names tenant default/);

    const restarted = await PolicyStore.open(dir);
    expect(restarted.current.version).toBe(4);
    expect(restarted.forDomain('acme.test')?.version).toBe(1);

    expect(await restarted.apply({ ...doc(0, {}), json: '', tenant: 'acme', removed: true })).toBe(true);
    expect(restarted.forDomain('acme.test')).toBeUndefined();
    expect((await PolicyStore.open(dir)).tenantVersions()).toEqual({});
  });

  it('explains a damaged policy.json instead of starting on a guess', async () => {
    await writeFile(join(dir, 'policy.json'), '{"version": 2}');
    await expect(PolicyStore.open(dir)).rejects.toThrow(/expected \{"version": N, "policy"/);
  });
});
