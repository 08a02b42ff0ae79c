import { Direction, type Action, type DeliveryResult, type MessageEvent } from '@moat/proto/grpc';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PROTO_ACTION } from '../events/node-events.js';

/** The node's state the gauges read at scrape time (nothing is computed per message for them). */
export interface NodeGaugeSources {
  nodeName: string;
  softwareVersion: string;
  spool(): { messages: number; bytes: number };
  /** Events journalled and not yet acknowledged by JetStream. */
  eventsPending(): number;
  /** Messages with a delivery attempt running or scheduled; of those, waiting for a retry. */
  delivery(): { queued: number; retrying: number };
  /** Messages (and their bytes) held by delivery hold windows, all domains together. */
  held(): { messages: number; bytes: number };
  activeConnections(): number;
  natsConnected(): boolean;
  /** Antivirus engines by name: true when the last version query answered. */
  antivirusUp(): Record<string, boolean>;
  policyVersion(): number;
  classifierModel(): string;
}

/** SMTP stages timed by the gateway (pipeline work of each command) and the spool write of an accepted message. */
export type TimedStage = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data' | 'spool';

/** What kind of check failure a symbol reports, or undefined for a symbol that is a finding, not a failure. */
export type CheckFailureKind = 'unavailable' | 'timeout' | 'error' | 'incomplete';

const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TRANSACTION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Symbols named by the policy (DNS lists) could be many: past this many distinct ones they count as OTHER. */
const MAX_FAILURE_SYMBOLS = 200;

const DIRECTION_LABEL: Record<number, string> = { [Direction.DIRECTION_INBOUND]: 'inbound', [Direction.DIRECTION_OUTBOUND]: 'outbound' };
const ACTION_LABEL = new Map<Action, string>(Object.entries(PROTO_ACTION).map(([name, action]) => [action, name]));

export function checkFailureKind(symbol: string): CheckFailureKind | undefined {
  if (symbol.endsWith('_UNAVAILABLE')) return 'unavailable';
  if (symbol.endsWith('_TIMEOUT')) return 'timeout';
  if (symbol === 'CHECK_ERROR' || symbol === 'LOCAL_FAILURE') return 'error';
  if (symbol === 'CONTENT_INCOMPLETE') return 'incomplete';
  return undefined;
}

/**
 * The node's Prometheus metrics (one registry per process). Counters and histograms move as messages pass,
 * through label children created once per label combination, so a message costs a few additions; gauges are
 * read from the node's state when Prometheus scrapes. No label ever carries an address or a message id.
 */
export class NodeMetrics {
  private readonly registry = new Registry();
  private readonly messages: Counter<'direction' | 'action'>;
  private readonly messageChildren = new Map<number, Counter.Internal>();
  private readonly stageSeconds: Histogram<'stage'>;
  private readonly stageChildren = new Map<TimedStage, Histogram.Internal<'stage'>>();
  private readonly transactionSeconds: Histogram;
  private readonly checkFailures: Counter<'kind' | 'symbol'>;
  private readonly failureChildren = new Map<string, Counter.Internal>();
  private readonly deliveries: Counter<'status'>;
  private readonly deliveryChildren = new Map<string, Counter.Internal>();

  constructor(sources: NodeGaugeSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'moat_node_' });
    this.messages = new Counter({ name: 'moat_node_messages_total', help: 'SMTP transactions that reached a verdict, by direction and action', labelNames: ['direction', 'action'], registers });
    this.stageSeconds = new Histogram({ name: 'moat_node_stage_seconds', help: 'Time spent in each SMTP stage (pipeline checks of the command) and in the spool write', labelNames: ['stage'], buckets: STAGE_BUCKETS, registers });
    this.transactionSeconds = new Histogram({ name: 'moat_node_transaction_seconds', help: 'Time from MAIL FROM (or connect) to the verdict of a transaction', buckets: TRANSACTION_BUCKETS, registers });
    this.checkFailures = new Counter({ name: 'moat_node_check_failures_total', help: 'Checks that could not judge (service unavailable, timeout, error, inspection incomplete), by kind and symbol', labelNames: ['kind', 'symbol'], registers });
    this.deliveries = new Counter({ name: 'moat_node_deliveries_total', help: 'Delivery results per recipient (deferred: will be retried)', labelNames: ['status'], registers });

    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge('moat_node_spool_messages', 'Messages in the delivery spool', () => sources.spool().messages);
    gauge('moat_node_spool_bytes', 'Bytes of the messages in the delivery spool', () => sources.spool().bytes);
    gauge('moat_node_events_pending', 'Events in the local journal not yet acknowledged by JetStream', () => sources.eventsPending());
    gauge('moat_node_delivery_queue_messages', 'Messages with a delivery attempt running or scheduled', () => sources.delivery().queued);
    gauge('moat_node_delivery_retry_messages', 'Messages waiting for a delivery retry', () => sources.delivery().retrying);
    gauge('moat_node_delivery_held_messages', 'Messages held in the spool by delivery hold windows', () => sources.held().messages);
    gauge('moat_node_delivery_held_bytes', 'Bytes of the messages held by delivery hold windows', () => sources.held().bytes);
    gauge('moat_node_smtp_connections', 'Open SMTP connections', () => sources.activeConnections());
    gauge('moat_node_nats_connected', '1 while the node can use NATS (events, quarantine, fleet state)', () => (sources.natsConnected() ? 1 : 0));
    gauge('moat_node_policy_version', 'Version of the policy the node runs', () => sources.policyVersion());
    new Gauge({
      name: 'moat_node_antivirus_up',
      help: '1 when the antivirus engine answered its last version query (every 30 s)',
      labelNames: ['engine'],
      registers,
      collect() {
        this.reset();
        for (const [engine, up] of Object.entries(sources.antivirusUp())) this.labels(engine).set(up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'moat_node_info',
      help: 'The node: name, software version and classifier model in use (value 1)',
      labelNames: ['node', 'version', 'classifier_model'],
      registers,
      collect() {
        this.reset();
        this.labels(sources.nodeName, sources.softwareVersion, sources.classifierModel() || 'shipped').set(1);
      },
    });
  }

  /** Counts a transaction's verdict, its duration and the check failures its symbols report. */
  message(event: MessageEvent): void {
    const key = event.direction * 16 + event.action;
    let child = this.messageChildren.get(key);
    if (!child) {
      child = this.messages.labels(DIRECTION_LABEL[event.direction] ?? 'unspecified', ACTION_LABEL.get(event.action) ?? 'unspecified');
      this.messageChildren.set(key, child);
    }
    child.inc();
    if (event.timings) this.transactionSeconds.observe(event.timings.sessionMs / 1000);
    for (const symbol of event.symbols) {
      const kind = checkFailureKind(symbol.name);
      if (kind) this.failure(kind, symbol.name).inc();
    }
  }

  delivery(result: DeliveryResult): void {
    let child = this.deliveryChildren.get(result.status);
    if (!child) {
      child = this.deliveries.labels(result.status);
      this.deliveryChildren.set(result.status, child);
    }
    child.inc();
  }

  stage(stage: TimedStage, ms: number): void {
    let child = this.stageChildren.get(stage);
    if (!child) {
      child = this.stageSeconds.labels(stage);
      this.stageChildren.set(stage, child);
    }
    child.observe(ms / 1000);
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private failure(kind: CheckFailureKind, symbol: string): Counter.Internal {
    const known = this.failureChildren.get(symbol);
    if (known) return known;
    const name = this.failureChildren.size < MAX_FAILURE_SYMBOLS ? symbol : 'OTHER';
    const child = this.checkFailures.labels(kind, name);
    if (name === symbol) this.failureChildren.set(symbol, child);
    return child;
  }
}
