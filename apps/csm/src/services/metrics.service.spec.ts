import type { NatsConnection } from '@nats-io/transport-node';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBusRepository, type ConsumerLag } from '../repositories/event-bus.repository.js';
import { NatsRepository, type Health } from '../repositories/nats.repository.js';
import { InMemoryConfigRepository, InMemoryEventStore, InMemoryLocalState, testAudit, testConfig, testNodeCa } from '../testing/in-memory-repositories.js';
import { UnauthenticatedError, UnavailableError } from '../util/errors.js';
import { ExportLogService } from './export-log.service.js';
import { FleetService } from './fleet.service.js';
import { MetricsService } from './metrics.service.js';
import { PolicyService } from './policy.service.js';

class DownNats extends NatsRepository {
  connection(): Promise<NatsConnection> {
    return Promise.reject(new UnavailableError('NATS is not connected'));
  }
  health(): Health {
    return { ok: false, detail: 'connecting to nats://127.0.0.1:4222' };
  }
}

class LaggingBus extends EventBusRepository {
  lagNow: ConsumerLag | undefined = { pending: 42, ackPending: 7 };
  consume(): Promise<void> {
    return Promise.resolve();
  }
  lag(): Promise<ConsumerLag> {
    return this.lagNow ? Promise.resolve(this.lagNow) : Promise.reject(new UnavailableError('NATS is not connected'));
  }
}

describe('MetricsService', () => {
  let store: InMemoryEventStore;
  let bus: LaggingBus;
  let local: InMemoryLocalState;
  let fleet: FleetService;

  const make = (env: Record<string, string> = {}) => {
    const config = testConfig({ MOAT_ENROL_TOKEN: 'enrol', MOAT_HTTP_TLS: 'off', ...env });
    const configRepository = new InMemoryConfigRepository();
    const audit = testAudit(store);
    fleet = new FleetService(configRepository, audit, config, new ExportLogService(store), testNodeCa());
    return new MetricsService(config, local, new DownNats(), store, bus, fleet, new PolicyService(configRepository, audit, config));
  };

  beforeEach(() => {
    store = new InMemoryEventStore();
    bus = new LaggingBus();
    local = new InMemoryLocalState();
  });

  it('answers scrapes only with the metrics token, kept in the data dir when none is configured', async () => {
    const metrics = make();
    await metrics.onApplicationBootstrap();
    const token = local.metricsTokenFile;
    expect(token.length).toBeGreaterThanOrEqual(32);
    await expect(metrics.scrape(undefined)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(metrics.scrape(`${token}x`)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(metrics.scrape('')).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(metrics.scrape(token)).resolves.toContain('moat_csm_nats_up 0');
    // The same token after a restart.
    const again = make();
    await again.onApplicationBootstrap();
    await expect(again.scrape(token)).resolves.toContain('moat_csm_clickhouse_up 1');
  });

  it('takes MOAT_METRICS_TOKEN when set', async () => {
    const metrics = make({ MOAT_METRICS_TOKEN: 'from-env' });
    await metrics.onApplicationBootstrap();
    expect(local.metricsTokenFile).toBe('');
    await expect(metrics.scrape('from-env')).resolves.toContain('moat_csm_policy_version 0');
  });

  it('reports ingest, consumer lag, dependency health, HTTP requests and nodes', async () => {
    const metrics = make({ MOAT_METRICS_TOKEN: 't' });
    await metrics.onApplicationBootstrap();
    metrics.insert({ events: 3, seconds: 0.02, ok: true, messages: 2, deliveries: 1 });
    metrics.insert({ events: 500, seconds: 3, ok: false, messages: 500, deliveries: 0 });
    metrics.droppedEvent();
    metrics.httpRequest('GET', '/api/mail/:id', 200, 0.004);
    metrics.httpRequest('GET', '/api/mail/:id', 404, 0.002);
    const { nodeId } = await fleet.enrol({ token: 'enrol', nodeName: 'node-1', smtpAddress: '127.0.0.1:2525', softwareVersion: '0.1.0' });
    fleet.heartbeat(nodeId, { nodeId, smtpAddress: '127.0.0.1:2525', metricsUrl: '', policyVersion: 1, resources: undefined, softwareVersion: '0.1.0', engineVersions: {}, startedAtMs: 1 });
    await fleet.enrol({ token: 'enrol', nodeName: 'node-2', smtpAddress: '127.0.0.1:2526', softwareVersion: '0.1.0' });

    const text = await metrics.scrape('t');
    for (const line of [
      'moat_csm_events_inserted_total{kind="message"} 2',
      'moat_csm_events_inserted_total{kind="delivery"} 1',
      'moat_csm_insert_failures_total 1',
      'moat_csm_events_dropped_total 1',
      'moat_csm_insert_batch_events_count 2',
      'moat_csm_insert_batch_events_bucket{le="5"} 1',
      'moat_csm_insert_seconds_bucket{le="0.025"} 1',
      'moat_csm_consumer_lag_events{state="pending"} 42',
      'moat_csm_consumer_lag_events{state="ack_pending"} 7',
      'moat_csm_nats_up 0',
      'moat_csm_clickhouse_up 1',
      'moat_csm_http_requests_total{method="GET",route="/api/mail/:id",status="200"} 1',
      'moat_csm_http_requests_total{method="GET",route="/api/mail/:id",status="404"} 1',
      'moat_csm_http_request_seconds_count{method="GET",route="/api/mail/:id"} 2',
      'moat_csm_nodes{state="up"} 1',
      'moat_csm_nodes{state="down"} 1',
    ]) {
      expect(text).toContain(`\n${line}\n`);
    }
    expect(text).not.toContain('enrol');

    // Without NATS the consumer's lag is unknown: the series go away rather than showing a stale value.
    bus.lagNow = undefined;
    expect(await metrics.scrape('t')).not.toContain('moat_csm_consumer_lag_events{');
  });
});
