import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { defined } from '../harness/defined.js';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../harness/prometheus-text.js';
import { waitFor } from '../harness/wait.js';

const REPO = join(import.meta.dirname, '../..');
type Families = Map<string, MetricFamily>;

/** Scrapes a node's endpoint (plain HTTP on loopback) or, with `get`, the CSM's (HTTPS with its own certificate). */
async function scrape(url: string, token?: string, get: (url: string, init: RequestInit) => Promise<Response> = fetch): Promise<{ families: Families; text: string }> {
  const response = await get(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();
  return { families: parsePrometheusText(text), text };
}

// Issue 17: Prometheus metrics on a real node and CSM (with NATS, clamd, chdb): mail moves the counters and
// histograms, the node's metrics URL travels in its heartbeat to /api/status and `moat status --json`, the
// CSM's endpoint wants its token, and every metric the example alert rules use is exposed.
describe('Prometheus metrics', () => {
  let cluster: TestCluster;
  let nodeUrl: string;
  let csmToken: string;
  const seen = new Set<string>();
  const note = (families: Families) => families.forEach((f) => seen.add(f.name));

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1 });
    csmToken = (await readFile(join(cluster.varDir, 'csm', 'metrics-token'), 'utf8')).trim();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("reports the node's metrics URL in moat status --json, on the port moat up chose", async () => {
    const status = await cluster.status();
    const node = defined(status.nodes[0], 'the node');
    expect(node.metricsUrl).toBe(`http://127.0.0.1:${defined(cluster.ports.metrics[0], 'the metrics port')}/metrics`);
    nodeUrl = node.metricsUrl;
    const api = await cluster.csmFetch('/api/status', { headers: { authorization: `Bearer ${await cluster.token()}` } });
    expect(((await api.json()) as { nodes: Array<{ metricsUrl: string }> }).nodes.map((n) => n.metricsUrl)).toEqual([nodeUrl]);
  });

  it('counts verdicts, stage latencies and deliveries on the node as mail passes', async () => {
    const before = (await scrape(nodeUrl)).families;
    const deliveredBefore = sampleValue(before, 'moat_node_messages_total', { direction: 'inbound', action: 'deliver' }) ?? 0;
    for (const i of [1, 2]) expect((await cluster.sendMail(0, { from: 'sender@remote.test', to: 'alice@example.test', subject: `metrics ${i}` })).accepted).toBe(true);
    const refused = await cluster.sendMail(0, { from: 'sender@remote.test', to: 'nobody@example.test', subject: 'metrics refused' });
    expect(refused.accepted).toBe(false);
    await cluster.waitForMailbox(2, (m) => m.subject.startsWith('metrics '));

    // The refused transaction is counted when its connection closes, the clamd answer of the 30 s version query
    // arrives once after start: wait for both as well as for the deliveries.
    const { families, text } = await waitFor('two deliveries, the refusal and clamd counted', async () => {
      const scraped = await scrape(nodeUrl);
      const f = scraped.families;
      const delivered = sampleValue(f, 'moat_node_deliveries_total', { status: 'delivered' }) ?? 0;
      const rejected = sampleValue(f, 'moat_node_messages_total', { direction: 'inbound', action: 'reject' }) ?? 0;
      return delivered >= 2 && rejected >= 1 && sampleValue(f, 'moat_node_antivirus_up', { engine: 'clamav' }) !== undefined ? scraped : undefined;
    });
    note(families);
    expect(sampleValue(families, 'moat_node_messages_total', { direction: 'inbound', action: 'deliver' })).toBe(deliveredBefore + 2);
    expect(sampleValue(families, 'moat_node_messages_total', { direction: 'inbound', action: 'reject' })).toBeGreaterThanOrEqual(1);
    expect(defined(families.get('moat_node_stage_seconds'), 'stage histogram').type).toBe('histogram');
    expect(sampleValue(families, 'moat_node_stage_seconds_count', { stage: 'connect' })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(families, 'moat_node_stage_seconds_count', { stage: 'rcpt' })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(families, 'moat_node_stage_seconds_count', { stage: 'data' })).toBe(2);
    expect(sampleValue(families, 'moat_node_stage_seconds_count', { stage: 'spool' })).toBe(2);
    expect(sampleValue(families, 'moat_node_stage_seconds_sum', { stage: 'data' })).toBeGreaterThan(0);
    expect(sampleValue(families, 'moat_node_transaction_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(sampleValue(families, 'moat_node_nats_connected')).toBe(1);
    expect(sampleValue(families, 'moat_node_antivirus_up', { engine: 'clamav' })).toBe(1);
    expect(sampleValue(families, 'moat_node_policy_version')).toBe((await cluster.status()).policyVersion);
    expect(sampleValue(families, 'moat_node_spool_messages')).toBe(0);
    expect(sampleValue(families, 'moat_node_delivery_queue_messages')).toBe(0);
    expect(sampleValue(families, 'moat_node_events_pending')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(families, 'moat_node_info', { node: 'node-1' })).toBe(1);
    // Addresses and subjects never become labels.
    expect(text).not.toMatch(/example\.test|remote\.test|metrics 1/);
  });

  it("serves the CSM's metrics only with its token, with ingest, lag, health, HTTP and node figures", async () => {
    const url = '/metrics';
    const csm = (path: string, init: RequestInit = {}) => cluster.csmFetch(path, init);
    expect((await csm(url)).status).toBe(401);
    expect((await csm(url, { headers: { authorization: `Bearer ${await cluster.token()}` } })).status).toBe(401);
    expect((await csm(url, { headers: { authorization: `Basic ${csmToken}` } })).status).toBe(401);
    expect((await csm('/api/metrics', { headers: { authorization: `Bearer ${csmToken}` } })).status).toBe(404);

    await cluster.status();
    const { families, text } = await waitFor('the three transactions ingested', async () => {
      const scraped = await scrape(url, csmToken, csm);
      return (sampleValue(scraped.families, 'moat_csm_events_inserted_total', { kind: 'message' }) ?? 0) >= 3 ? scraped : undefined;
    });
    note(families);
    expect(sampleValue(families, 'moat_csm_events_inserted_total', { kind: 'delivery' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'moat_csm_insert_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'moat_csm_insert_batch_events_count')).toBe(sampleValue(families, 'moat_csm_insert_seconds_count'));
    expect(sampleValue(families, 'moat_csm_consumer_lag_events', { state: 'pending' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(families, 'moat_csm_nats_up')).toBe(1);
    expect(sampleValue(families, 'moat_csm_clickhouse_up')).toBe(1);
    expect(sampleValue(families, 'moat_csm_nodes', { state: 'up' })).toBe(1);
    expect(sampleValue(families, 'moat_csm_http_requests_total', { method: 'GET', route: '/api/status', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'moat_csm_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).toBe(3);
    expect(sampleValue(families, 'moat_csm_http_request_seconds_count', { method: 'GET', route: '/api/status' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(csmToken);
  });

  it('shows NATS down on both sides and counts the checks that could not run', async () => {
    await cluster.stopNats();
    const node = await waitFor('the node to see NATS gone', async () => {
      const { families } = await scrape(nodeUrl);
      return sampleValue(families, 'moat_node_nats_connected') === 0 ? families : undefined;
    });
    expect(sampleValue(node, 'moat_node_nats_connected')).toBe(0);
    // At least 20 words, so the bulk checksum check fingerprints it and finds its fleet store unreachable.
    const body = 'The quarterly report covers revenue, hiring, the new office, travel budgets, supplier contracts, customer feedback, product plans and the schedule for the next board meeting in spring.\n';
    expect((await cluster.sendMail(0, { from: 'sender@remote.test', to: 'bob@example.test', subject: 'metrics without nats', body })).accepted).toBe(true);
    const failures = await waitFor('an unavailable check counted', async () => {
      const { families } = await scrape(nodeUrl);
      return (sampleValue(families, 'moat_node_events_pending') ?? 0) > 0 && families.get('moat_node_check_failures_total')?.samples.some((s) => s.labels['kind'] === 'unavailable') ? families : undefined;
    });
    note(failures);
    const csm = await waitFor('the CSM to see NATS gone', async () => {
      const { families } = await scrape('/metrics', csmToken, (path, init) => cluster.csmFetch(path, init));
      return sampleValue(families, 'moat_csm_nats_up') === 0 ? families : undefined;
    });
    // The consumer's lag is unknown without NATS: absent, not a stale figure.
    expect(sampleValue(csm, 'moat_csm_consumer_lag_events', { state: 'pending' })).toBeUndefined();
  });

  it('exposes every metric the example alert rules use', async () => {
    const rules = await readFile(join(REPO, 'deploy/prometheus/alerts.yml'), 'utf8');
    const used = new Set(rules.match(/\bmoat_[a-z_]+/g) ?? []);
    expect(used.size).toBeGreaterThan(10);
    const exposed = (name: string) => seen.has(name) || ['_bucket', '_sum', '_count'].some((s) => name.endsWith(s) && seen.has(name.slice(0, -s.length)));
    expect([...used].filter((name) => !exposed(name))).toEqual([]);
  });
});
