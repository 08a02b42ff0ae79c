import { describe, expect, it } from 'vitest';
import { NatsRepository, type Health } from '../repositories/nats.repository.js';
import { InMemoryBodyStore, InMemoryConfigRepository, InMemoryEventStore, testAudit, testConfig, testNodeCa } from '../testing/in-memory-repositories.js';
import { InvalidInputError, UnavailableError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { ControlService } from './control.service.js';
import { MessageBodyService } from './message-body.service.js';
import { PolicyService } from './policy.service.js';
import { StatusService } from './status.service.js';

class NoNats extends NatsRepository {
  async connection(): Promise<never> {
    throw new UnavailableError('no NATS in this spec');
  }
  health(): Health {
    return { ok: false, detail: 'none' };
  }
}

describe('StatusService statistics', () => {
  const store = new InMemoryEventStore();
  const config = new InMemoryConfigRepository();
  const audit = testAudit(store, config);
  const policy = new PolicyService(config, audit, testConfig());
  const service = new StatusService(new NoNats(), store, new FleetService(config, audit, testConfig(), new ExportLogService(store), testNodeCa()), policy, audit, new MessageBodyService(new InMemoryBodyStore(), store, policy, audit, new ControlService()));
  store.breakdownRows = [
    { key: 'example.test', action: 'deliver', count: 7 },
    { key: 'example.test', action: 'quarantine', count: 2 },
    { key: 'other.test', action: 'reject', count: 1 },
  ];

  it('breaks counts down by domain, user, reason or symbol', async () => {
    await expect(service.query({ by: 'domain', direction: 'inbound' }, 'admin')).resolves.toEqual({ by: 'domain', direction: 'inbound', total: 10, truncated: false, rows: store.breakdownRows });
    await expect(service.query({}, 'admin')).resolves.toEqual({ total: 0, byDirectionAction: [], daily: [] });
  });

  it('exports a breakdown as CSV, audited', async () => {
    const file = await service.query({ by: 'domain', format: 'csv' }, 'admin');
    expect('bytes' in file && file.bytes.toString('utf8')).toBe('\ufeffdomain,action,count\r\nexample.test,deliver,7\r\nexample.test,quarantine,2\r\nother.test,reject,1\r\n');
    expect(store.audit.at(-1)).toMatchObject({ action: 'stats.export', target: 'csv', detail: 'by=domain format=csv' });
  });

  it('refuses an unknown breakdown, direction, format or range', async () => {
    for (const query of [{ by: 'country' }, { by: 'user', direction: 'sideways' }, { format: 'pdf' }, { from: '2026-02-01', to: '2026-01-01' }]) {
      await expect(service.query(query, 'admin')).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
