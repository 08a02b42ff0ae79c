import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { metricsUrl, MetricsServer, type MetricsServerOptions } from './metrics-server.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const exposition = () => Promise.resolve({ text: 'moat_node_up 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' });

describe('MetricsServer', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(options: Partial<MetricsServerOptions> = {}): Promise<string> {
    server = new MetricsServer({ host: '127.0.0.1', port: 0, token: undefined, exposition, log: quiet, ...options });
    return server.listen();
  }

  it('serves the exposition at /metrics on the port it reports', async () => {
    const url = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('moat_node_up 1\n');
  });

  it('names IPv6 addresses in brackets, and the host name for a listener on every interface', () => {
    expect(metricsUrl('10.0.0.5', 9464)).toBe('http://10.0.0.5:9464/metrics');
    expect(metricsUrl('::1', 9464)).toBe('http://[::1]:9464/metrics');
    expect(metricsUrl('0.0.0.0', 9464)).toBe(`http://${hostname()}:9464/metrics`);
    expect(metricsUrl('::', 9465)).toBe(`http://${hostname()}:9465/metrics`);
  });

  it('answers other paths 404 and other methods 405', async () => {
    const url = await start();
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(`${url}/../admin`)).status).toBe(404);
    const post = await fetch(url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('requires the bearer token when one is set', async () => {
    const url = await start({ token: 'scrape-secret' });
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Basic scrape-secret' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer scrape-secret' } })).status).toBe(200);
  });

  it('answers 503 when the metrics cannot be collected', async () => {
    const url = await start({ exposition: () => Promise.reject(new Error('collector broke')) });
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('collector broke');
  });

  it('reports a port that is taken as an error', async () => {
    const url = await start();
    const second = new MetricsServer({ host: '127.0.0.1', port: Number(new URL(url).port), token: undefined, exposition, log: quiet });
    await expect(second.listen()).rejects.toThrow(/EADDRINUSE/);
  });
});
