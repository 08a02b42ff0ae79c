import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defined } from '../harness/defined.js';
import { parsePrometheusText, sampleValue } from '../harness/prometheus-text.js';
import { Downstream, Nats, ScanNode, testPolicy } from '../scan-node/support/scan-node.js';

// Issue 17: the scan node's own metrics listener as an operator configures it: MOAT_METRICS_TOKEN makes every
// scrape present it, the ready line names the URL, and a metrics port already taken stops the node before it
// accepts mail (rather than running unobserved).
describe('scan node metrics listener', () => {
  let nats: Nats;
  let downstream: Downstream;
  const nodes: ScanNode[] = [];

  beforeAll(async () => {
    nats = await Nats.start();
    downstream = await Downstream.start();
  });
  afterAll(async () => {
    for (const node of nodes) {
      await node.stop();
      await rm(node.dataDir, { recursive: true, force: true });
    }
    await downstream?.pause();
    await nats?.stop();
  });

  const node = async (name: string) => {
    const created = await ScanNode.create(name, nats.url, testPolicy(downstream.port));
    nodes.push(created);
    return created;
  };

  it('asks for the bearer token when MOAT_METRICS_TOKEN is set, and names its URL in the ready line', async () => {
    const guarded = await node('metrics-guarded');
    await guarded.start({ MOAT_METRICS_TOKEN: 'scrape-secret' });
    const url = defined(/ metrics=(\S+) /.exec(guarded.output)?.[1], 'metrics= in the ready line');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);

    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="moat metrics"');
    expect((await fetch(url, { headers: { authorization: 'Bearer guess' } })).status).toBe(401);
    const scraped = await fetch(url, { headers: { authorization: 'Bearer scrape-secret' } });
    expect(scraped.status).toBe(200);
    const families = parsePrometheusText(await scraped.text());
    expect(sampleValue(families, 'moat_node_info', { node: 'metrics-guarded' })).toBe(1);
    expect(sampleValue(families, 'moat_node_policy_version')).toBe(1);
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
  });

  it('stops before accepting mail when its metrics port is taken', async () => {
    const first = defined(nodes[0], 'the first node');
    const port = defined(/ metrics=http:\/\/127\.0\.0\.1:(\d+)\/metrics /.exec(first.output)?.[1], 'the first node metrics port');
    const second = await node('metrics-clash');
    const failure = await second.start({ MOAT_METRICS_PORT: port }).then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(failure).toContain('process exited (1)');
    expect(failure).toContain('EADDRINUSE');
    expect(second.output).not.toContain('node ready');
  });
});
