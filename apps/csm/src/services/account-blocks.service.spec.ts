import { emptyAccountSigns, type AccountSigns } from '@moat/bus';
import { describe, expect, it } from 'vitest';
import { AccountSignsRepository } from '../repositories/account-signs.repository.js';
import { InvalidInputError, NotFoundError } from '../util/errors.js';
import { AccountBlocksService } from './account-blocks.service.js';
import { runInTenantScope } from '../util/tenant-scope.js';
import type { AuditService } from './audit.service.js';
import type { PolicyService } from './policy.service.js';

class MemoryAccountSigns extends AccountSignsRepository {
  readonly records = new Map<string, AccountSigns>();
  list(): Promise<AccountSigns[]> {
    return Promise.resolve([...this.records.values()]);
  }
  change(address: string, next: (old: AccountSigns) => AccountSigns | undefined): Promise<AccountSigns | undefined> {
    const old = this.records.get(address);
    const value = old ? next(old) : undefined;
    if (value) this.records.set(address, value);
    return Promise.resolve(value);
  }
}

const NOW = 1_800_000_000_000;

function setup() {
  const repo = new MemoryAccountSigns();
  const audited: Array<{ action: string; target: string; detail: string }> = [];
  const audit = { recordQuietly: (entry: { action: string; target: string; detail: string }) => Promise.resolve(void audited.push(entry)) } as unknown as AuditService;
  const put = (address: string, change: Partial<AccountSigns>) => repo.records.set(address, { ...emptyAccountSigns(address), ...change });
  // The scoped tenant's policy (F18): its one domain.
  const policy = { scoped: () => ({ get: () => Promise.resolve({ policy: { domains: [{ name: 'example.test' }] } }) }) } as unknown as PolicyService;
  return { repo, audited, put, service: new AccountBlocksService(repo, audit, policy) };
}

describe('AccountBlocksService', () => {
  it('lists the accounts a sign tripped on, active ones first, without their domains', async () => {
    const { put, service } = setup();
    put('quiet@example.test', { domains: ['remote.test'] });
    put('old@example.test', { state: 'throttle', sign: 'volume', sinceMs: NOW - 7_200_000, untilMs: NOW - 3_600_000, trips: 1 });
    put('held@example.test', { state: 'hold', sign: 'spam-score', detail: '3 messages', sinceMs: NOW - 60_000, trips: 2, domains: ['a.test'] });
    const list = await service.list(NOW);
    expect(list.map((a) => [a.address, a.active])).toEqual([
      ['held@example.test', true],
      ['old@example.test', false],
    ]);
    expect(list[0]).not.toHaveProperty('domains');
  });

  it("shows a tenant's call only the accounts at its own domains", async () => {
    const { put, service } = setup();
    put('held@example.test', { state: 'hold', sign: 'volume', sinceMs: NOW - 60_000, trips: 1 });
    put('other@other-tenant.test', { state: 'hold', sign: 'volume', sinceMs: NOW - 60_000, trips: 1 });
    expect((await runInTenantScope('t1', () => service.list(NOW))).map((a) => a.address)).toEqual(['held@example.test']);
    expect((await service.list(NOW)).map((a) => a.address).sort()).toEqual(['held@example.test', 'other@other-tenant.test']);
  });

  it('clears a throttle or hold in a new epoch, audited; 404 when not blocked, 400 for a non-address', async () => {
    const { repo, audited, put, service } = setup();
    put('alice@example.test', { state: 'throttle', sign: 'volume', detail: '9 messages', untilMs: NOW + 60_000, trips: 1, epoch: 2 });
    const cleared = await service.unblock(' Alice@Example.test ', 'admin', NOW);
    expect(cleared).toMatchObject({ address: 'alice@example.test', state: 'none', active: false });
    expect(repo.records.get('alice@example.test')).toMatchObject({ state: 'none', epoch: 3, trips: 1 });
    expect(audited).toEqual([{ admin: 'admin', action: 'accounts.unblock', target: 'alice@example.test', detail: 'was volume: 9 messages', ok: true }]);
    await expect(service.unblock('alice@example.test', 'admin', NOW)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.unblock('nobody@example.test', 'admin', NOW)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.unblock('not an address', 'admin', NOW)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
