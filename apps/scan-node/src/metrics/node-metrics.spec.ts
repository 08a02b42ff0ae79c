import { Action, Direction, MessageEvent } from '@moat/proto/grpc';
import { describe, expect, it } from 'vitest';
import { checkFailureKind, NodeMetrics, type NodeGaugeSources } from './node-metrics.js';

const sources: NodeGaugeSources = {
  nodeName: 'node-7',
  softwareVersion: '0.1.0',
  spool: () => ({ messages: 3, bytes: 4096 }),
  eventsPending: () => 12,
  delivery: () => ({ queued: 3, retrying: 1 }),
  held: () => ({ messages: 2, bytes: 900 }),
  activeConnections: () => 2,
  natsConnected: () => false,
  antivirusUp: () => ({ clamav: false, hashdb: true }),
  policyVersion: () => 41,
  classifierModel: () => '0123456789abcdef',
};

function event(action: Action, symbols: string[], sessionMs = 120): MessageEvent {
  return MessageEvent.fromPartial({
    id: 'm1',
    direction: Direction.DIRECTION_INBOUND,
    action,
    symbols: symbols.map((name) => ({ name, score: 0, detail: '', stage: 'data' })),
    timings: { sessionMs, scanMs: 0, spoolMs: 0 },
    envelope: { mailFrom: 'sender@example.test', rcptTo: ['alice@example.test'] },
  });
}

describe('NodeMetrics', () => {
  it('counts verdicts by direction and action, transaction times and check failures by kind', async () => {
    const metrics = new NodeMetrics(sources);
    metrics.message(event(Action.ACTION_DELIVER, ['DKIM_ALLOW', 'BULK_UNAVAILABLE']));
    metrics.message(event(Action.ACTION_DELIVER, ['SPAMHAUS_ZEN_TIMEOUT']));
    metrics.message(event(Action.ACTION_TEMPFAIL, ['CHECK_ERROR'], 3000));
    const text = await metrics.text();
    expect(text).toContain('moat_node_messages_total{direction="inbound",action="deliver"} 2');
    expect(text).toContain('moat_node_messages_total{direction="inbound",action="tempfail"} 1');
    expect(text).toContain('moat_node_check_failures_total{kind="unavailable",symbol="BULK_UNAVAILABLE"} 1');
    expect(text).toContain('moat_node_check_failures_total{kind="timeout",symbol="SPAMHAUS_ZEN_TIMEOUT"} 1');
    expect(text).toContain('moat_node_check_failures_total{kind="error",symbol="CHECK_ERROR"} 1');
    expect(text).toContain('moat_node_transaction_seconds_count 3');
    expect(text).toContain('moat_node_transaction_seconds_bucket{le="0.25"} 2');
    // Addresses never become labels.
    expect(text).not.toContain('example.test');
  });

  it('observes stage latencies in seconds per stage and delivery results per status', async () => {
    const metrics = new NodeMetrics(sources);
    metrics.stage('rcpt', 4);
    metrics.stage('rcpt', 40);
    metrics.stage('data', 700);
    metrics.delivery({ status: 'delivered', downstream: 'mx:25', response: '250 ok', attempts: 1, atMs: 0 });
    metrics.delivery({ status: 'deferred', downstream: 'mx:25', response: '451 later', attempts: 1, atMs: 0 });
    const text = await metrics.text();
    expect(text).toContain('moat_node_stage_seconds_bucket{le="0.005",stage="rcpt"} 1');
    expect(text).toContain('moat_node_stage_seconds_bucket{le="0.05",stage="rcpt"} 2');
    expect(text).toContain('moat_node_stage_seconds_count{stage="data"} 1');
    expect(text).toContain('moat_node_stage_seconds_sum{stage="data"} 0.7');
    expect(text).toContain('moat_node_deliveries_total{status="delivered"} 1');
    expect(text).toContain('moat_node_deliveries_total{status="deferred"} 1');
  });

  it("reads the node's state at scrape time", async () => {
    const text = await new NodeMetrics(sources).text();
    for (const line of [
      'moat_node_spool_messages 3',
      'moat_node_spool_bytes 4096',
      'moat_node_events_pending 12',
      'moat_node_delivery_queue_messages 3',
      'moat_node_delivery_retry_messages 1',
      'moat_node_delivery_held_messages 2',
      'moat_node_delivery_held_bytes 900',
      'moat_node_smtp_connections 2',
      'moat_node_nats_connected 0',
      'moat_node_policy_version 41',
      'moat_node_antivirus_up{engine="clamav"} 0',
      'moat_node_antivirus_up{engine="hashdb"} 1',
      'moat_node_info{node="node-7",version="0.1.0",classifier_model="0123456789abcdef"} 1',
    ]) {
      expect(text).toContain(`\n${line}\n`);
    }
    expect(text).toContain('moat_node_process_resident_memory_bytes');
  });

  it('keeps the symbol label bounded', async () => {
    const metrics = new NodeMetrics(sources);
    for (let i = 0; i < 250; i++) metrics.message(event(Action.ACTION_DELIVER, [`L${i}_TIMEOUT`]));
    const text = await metrics.text();
    const series = text.split('\n').filter((l) => l.startsWith('moat_node_check_failures_total{'));
    expect(series).toHaveLength(201);
    expect(text).toContain('moat_node_check_failures_total{kind="timeout",symbol="OTHER"} 50');
  });

  it('tells failures from findings', () => {
    expect(['AV_UNAVAILABLE', 'GREYLIST_UNAVAILABLE', 'REGEX_TIMEOUT', 'LOCAL_FAILURE', 'CONTENT_INCOMPLETE', 'VIRUS_FOUND', 'SPF_TEMPERROR'].map(checkFailureKind)).toEqual([
      'unavailable',
      'unavailable',
      'timeout',
      'error',
      'incomplete',
      undefined,
      undefined,
    ]);
  });
});
