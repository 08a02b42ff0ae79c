import { describe, expect, it } from 'vitest';
import type { SecurityFinding } from '../repositories/event-store.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, testConfig, testAudit, testNodeCa } from '../testing/in-memory-repositories.js';
import { InvalidInputError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { SecurityLogService } from './security-log.service.js';

const finding = (messageId: string, position: number, symbol: string, atMs = 1000): SecurityFinding => ({
  atMs, messageId, nodeId: 'n1', position, symbol, score: 5, detail: '', stage: 'data', sender: 'a@b.test', subject: 's', clientIp: '192.0.2.1', action: 'quarantine',
});

describe('SecurityLogService', () => {
  const store = new InMemoryEventStore();
  const config = new InMemoryConfigRepository();
  const service = new SecurityLogService(store, new FleetService(config, testAudit(store, config), testConfig(), new ExportLogService(store), testNodeCa()));
  store.findings = [finding('m2', 2, 'SPF_FAIL', 2000), finding('m2', 1, 'AV_VIRUS', 2000), finding('m1', 3, 'AV_VIRUS'), finding('m1', 1, 'RBL_LISTED')];

  it('pages findings with a cursor and filters by kind', async () => {
    const first = await service.search({ limit: '3' });
    expect(first.findings.map((f) => `${f.messageId}/${f.position}`)).toEqual(['m2/2', 'm2/1', 'm1/3']);
    expect(first.findings[0]?.nodeName).toBe('n1');
    const second = await service.search({ limit: '3', cursor: first.nextCursor });
    expect(second).toMatchObject({ findings: [{ messageId: 'm1', position: 1 }], nextCursor: null });
    expect((await service.search({ kind: 'AV_' })).findings.map((f) => f.messageId)).toEqual(['m2', 'm1']);
  });

  it('refuses a bad cursor, limit or range', async () => {
    for (const query of [{ cursor: 'x' }, { cursor: Buffer.from('[1,"m",-1]').toString('base64url') }, { limit: '0' }, { from: '5', to: '1' }]) {
      await expect(service.search(query)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
