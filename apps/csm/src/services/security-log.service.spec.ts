import { describe, expect, it } from 'vitest';
import type { SecurityFinding } from '../repositories/event-store.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, testConfig, testAudit, testNodeCa } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { SecurityLogService } from './security-log.service.js';

const finding = (messageId: string, position: number, symbol: string, atMs = 1000, more: Partial<SecurityFinding> = {}): SecurityFinding => ({
  atMs, messageId, nodeId: 'n1', position, symbol, score: 5, detail: '', stage: 'data', sender: 'a@b.test', subject: 's', clientIp: '192.0.2.1', action: 'quarantine', ...more,
});

describe('SecurityLogService', () => {
  const store = new InMemoryEventStore();
  const config = new InMemoryConfigRepository();
  const service = new SecurityLogService(store, new FleetService(config, testAudit(store, config), testConfig(), new ExportLogService(store), testNodeCa()));
  store.findings = [finding('m2', 2, 'SPF_FAIL', 2000), finding('m2', 1, 'AV_VIRUS', 2000), finding('m1', 3, 'AV_VIRUS'), finding('m1', 1, 'RBL_LISTED', 1000, { sender: 'Mallory@Evil.test', clientIp: '198.51.100.7', detail: 'listed by zen' })];

  it('pages findings with a cursor and filters by kind', async () => {
    const first = await service.search({ limit: '3' });
    expect(first.findings.map((f) => `${f.messageId}/${f.position}`)).toEqual(['m2/2', 'm2/1', 'm1/3']);
    expect(first.findings[0]?.nodeName).toBe('n1');
    const second = await service.search({ limit: '3', cursor: first.nextCursor });
    expect(second).toMatchObject({ findings: [{ messageId: 'm1', position: 1 }], nextCursor: null });
    expect((await service.search({ kind: 'AV_' })).findings.map((f) => f.messageId)).toEqual(['m2', 'm1']);
  });

  it('filters by sender (any case), client IP prefix and words in the subject or detail', async () => {
    expect((await service.search({ sender: 'mallory@evil' })).findings.map((f) => f.symbol)).toEqual(['RBL_LISTED']);
    expect((await service.search({ ip: '198.51.' })).findings.map((f) => f.symbol)).toEqual(['RBL_LISTED']);
    expect((await service.search({ text: 'ZEN', kind: 'RBL_' })).findings.map((f) => f.symbol)).toEqual(['RBL_LISTED']);
    expect((await service.search({ text: 'zen', kind: 'AV_' })).findings).toEqual([]);
  });

  it('refuses a bad cursor, limit or range', async () => {
    for (const query of [{ cursor: 'x' }, { cursor: Buffer.from('[1,"m",-1]').toString('base64url') }, { limit: '0' }, { from: '5', to: '1' }, { sender: ['a', 'b'] }]) {
      await expect(service.search(query)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
