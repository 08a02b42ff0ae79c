import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CsmConfig } from '../csm-config.js';
import { EventBusRepository } from '../repositories/event-bus.repository.js';
import { EventStoreRepository } from '../repositories/event-store.repository.js';
import { LocalStateRepository } from '../repositories/local-state.repository.js';
import { NatsRepository } from '../repositories/nats.repository.js';
import { UnauthenticatedError } from '../util/errors.js';
import { randomSecret, safeEqual } from '../util/secrets.js';
import type { IngestMetrics } from './event-ingest.service.js';
import { FleetService } from './fleet.service.js';
import { PolicyService } from './policy.service.js';

export type EventKind = 'message' | 'delivery';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500];

/**
 * The CSM's Prometheus metrics (`GET /metrics`): event ingest (rate, batch sizes, insert latency, consumer lag),
 * NATS and ClickHouse health, HTTP requests by route pattern and status, nodes up. Scrapes authenticate with a
 * bearer token of their own (MOAT_METRICS_TOKEN, else `<data>/metrics-token`), not an admin session: sessions
 * expire after 30 minutes and carry admin rights a scraper must not have.
 */
@Injectable()
export class MetricsService implements OnApplicationBootstrap, IngestMetrics {
  private readonly registry = new Registry();
  private token: string | undefined;
  private readonly inserted: Counter<'kind'>;
  private readonly dropped: Counter;
  private readonly insertFailures: Counter;
  private readonly batchEvents: Histogram;
  private readonly insertSeconds: Histogram;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpSeconds: Histogram<'method' | 'route'>;

  constructor(
    private readonly config: CsmConfig,
    private readonly local: LocalStateRepository,
    nats: NatsRepository,
    store: EventStoreRepository,
    bus: EventBusRepository,
    fleet: FleetService,
    policy: PolicyService,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'moat_csm_' });
    this.inserted = new Counter({ name: 'moat_csm_events_inserted_total', help: 'Events written to ClickHouse and acked, by kind', labelNames: ['kind'], registers });
    this.dropped = new Counter({ name: 'moat_csm_events_dropped_total', help: 'Events that could not be decoded (terminated, left in the stream)', registers });
    this.insertFailures = new Counter({ name: 'moat_csm_insert_failures_total', help: 'Batches whose insert failed (naked for redelivery)', registers });
    this.batchEvents = new Histogram({ name: 'moat_csm_insert_batch_events', help: 'Events per insert batch', buckets: BATCH_BUCKETS, registers });
    this.insertSeconds = new Histogram({ name: 'moat_csm_insert_seconds', help: 'Time one batch insert into ClickHouse took', buckets: LATENCY_BUCKETS, registers });
    this.httpRequests = new Counter({ name: 'moat_csm_http_requests_total', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers });
    this.httpSeconds = new Histogram({ name: 'moat_csm_http_request_seconds', help: 'HTTP request time by method and route pattern', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers });

    new Gauge({
      name: 'moat_csm_nats_up',
      help: '1 while the CSM is connected to NATS',
      registers,
      collect() {
        this.set(nats.health().ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'moat_csm_clickhouse_up',
      help: '1 when ClickHouse answered a query during this scrape',
      registers,
      async collect() {
        this.set((await store.health()).ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'moat_csm_consumer_lag_events',
      help: 'Events of MOAT_EVENTS the csm-clickhouse consumer has not acked: pending (not yet delivered to the CSM) and ack_pending (being inserted)',
      labelNames: ['state'],
      registers,
      async collect() {
        // Absent while NATS cannot say (a stale or zero value would mislead); moat_csm_nats_up tells why.
        this.reset();
        const lag = await bus.lag().catch(() => undefined);
        if (!lag) return;
        this.labels('pending').set(lag.pending);
        this.labels('ack_pending').set(lag.ackPending);
      },
    });
    new Gauge({
      name: 'moat_csm_nodes',
      help: 'Enrolled scan nodes by state (up: a heartbeat within 15 s)',
      labelNames: ['state'],
      registers,
      collect() {
        const nodes = fleet.list();
        const up = nodes.filter((n) => n.up).length;
        this.labels('up').set(up);
        this.labels('down').set(nodes.length - up);
      },
    });
    new Gauge({
      name: 'moat_csm_policy_version',
      help: 'Current policy version',
      registers,
      collect() {
        this.set(policy.currentVersion());
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.token = this.config.metricsToken ?? (await this.local.metricsToken(() => randomSecret()));
  }

  /** The exposition text for a scrape presenting TOKEN; UnauthenticatedError unless it is the metrics token. */
  async scrape(token: string | undefined): Promise<string> {
    if (!this.token || !token || !safeEqual(token, this.token)) {
      throw new UnauthenticatedError('send Authorization: Bearer <metrics token> (MOAT_METRICS_TOKEN, or the CSM data dir file metrics-token)');
    }
    return this.registry.metrics();
  }

  insert(result: { events: number; seconds: number; ok: boolean; messages: number; deliveries: number }): void {
    this.batchEvents.observe(result.events);
    this.insertSeconds.observe(result.seconds);
    if (!result.ok) {
      this.insertFailures.inc();
      return;
    }
    this.inserted.inc({ kind: 'message' }, result.messages);
    this.inserted.inc({ kind: 'delivery' }, result.deliveries);
  }

  droppedEvent(): void {
    this.dropped.inc();
  }

  /** ROUTE is the pattern the request matched (`/api/mail/:id`), never the path itself, so labels stay few. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpSeconds.observe({ method, route }, seconds);
  }
}
