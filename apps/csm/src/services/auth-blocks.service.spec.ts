import type { AuthBlock } from '@moat/bus';
import { describe, expect, it } from 'vitest';
import { AuthBlocksRepository } from '../repositories/auth-blocks.repository.js';
import { InvalidInputError, NotFoundError } from '../util/errors.js';
import type { AuditService } from './audit.service.js';
import { AuthBlocksService } from './auth-blocks.service.js';

class MemoryAuthBlocks extends AuthBlocksRepository {
  readonly blocks = new Map<string, AuthBlock>();
  list(): Promise<AuthBlock[]> {
    return Promise.resolve([...this.blocks.values()]);
  }
  change<T extends AuthBlock | undefined>(ip: string, next: (old: AuthBlock | undefined) => T): Promise<T> {
    const value = next(this.blocks.get(ip));
    if (value) this.blocks.set(ip, value);
    return Promise.resolve(value);
  }
  forget(ip: string): Promise<void> {
    this.blocks.delete(ip);
    return Promise.resolve();
  }
}

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;

function setup() {
  const repo = new MemoryAuthBlocks();
  const audited: Array<{ action: string; target: string; detail: string }> = [];
  const audit = { recordQuietly: (entry: { action: string; target: string; detail: string }) => Promise.resolve(void audited.push(entry)) } as unknown as AuditService;
  return { repo, audited, service: new AuthBlocksService(repo, audit) };
}

const auto = (ip: string, expiresAtMs: number, lastSeenMs: number): AuthBlock => ({ ip, firstSeenMs: lastSeenMs, lastSeenMs, expiresAtMs, failures: 10, blocks: 1, source: 'auto', rule: 'outbound.authFailures: 10 failures in 900 s', country: '', epoch: 0 });

describe('AuthBlocksService', () => {
  it('lists active blocks first, keeps expired ones 30 days and forgets older ones', async () => {
    const { repo, service } = setup();
    for (const b of [auto('192.0.2.1', NOW - DAY, NOW - DAY), auto('192.0.2.2', NOW + 1000, NOW - 5000), auto('192.0.2.3', NOW - 31 * DAY, NOW - 31 * DAY), auto('192.0.2.4', NOW + 1000, NOW - 1000)]) repo.blocks.set(b.ip, b);
    const list = await service.list(NOW);
    expect(list.map((b) => [b.ip, b.active])).toEqual([['192.0.2.4', true], ['192.0.2.2', true], ['192.0.2.1', false]]);
    expect(repo.blocks.has('192.0.2.3')).toBe(false);
  });

  it('adds a manual block for a period or for good, audited, and refuses bad input with every problem', async () => {
    const { repo, audited, service } = setup();
    expect(await service.add({ ip: '2001:db8::9', forSeconds: 3600, reason: 'scanner' }, 'root', NOW)).toMatchObject({ ip: '2001:db8::9', expiresAtMs: NOW + 3_600_000, source: 'manual', rule: 'manual by root: scanner', blocks: 1, active: true });
    expect(await service.add({ ip: '192.0.2.5' }, 'root', NOW)).toMatchObject({ expiresAtMs: 0, rule: 'manual by root' });
    expect(audited.map((a) => `${a.action} ${a.target} ${a.detail}`)).toEqual(['auth-blocks.add 2001:db8::9 for 3600 s: scanner', 'auth-blocks.add 192.0.2.5 permanent']);
    const refused = await service.add({ ip: '192.0.2.300', forSeconds: -1, reason: 7 }, 'root', NOW).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as InvalidInputError).problems).toHaveLength(3);
    expect(repo.blocks.size).toBe(2);
  });

  it('removes an active block at once with a new epoch (audited), and answers 404 for an address not blocked', async () => {
    const { repo, audited, service } = setup();
    repo.blocks.set('192.0.2.1', auto('192.0.2.1', NOW + 60_000, NOW));
    expect(await service.remove('192.0.2.1', 'root', NOW)).toMatchObject({ expiresAtMs: NOW, epoch: 1, active: false });
    expect(audited[0]).toMatchObject({ action: 'auth-blocks.remove', target: '192.0.2.1' });
    await expect(service.remove('192.0.2.1', 'root', NOW + 1)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.remove('not-an-ip', 'root', NOW)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
