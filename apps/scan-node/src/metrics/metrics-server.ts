import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { errorText, type Logger } from '../log.js';

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token: string | undefined;
  /** The exposition text and its content type, produced at each scrape. */
  exposition: () => Promise<{ text: string; contentType: string }>;
  log: Logger;
}

/**
 * The node's Prometheus endpoint: `GET /metrics` on its own listener (loopback by default), apart from SMTP so
 * that scraping never competes with mail for a connection slot and a firewall can treat the two apart.
 */
export class MetricsServer {
  private readonly server: Server;

  constructor(private readonly options: MetricsServerOptions) {
    this.server = createServer((request, response) => void this.handle(request, response));
    // A scrape is one small request; a client that holds a socket open gets it closed.
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Resolves with the URL Prometheus scrapes (see metricsUrl). */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        this.server.on('error', (err) => this.options.log.warn(`metrics listener: ${err.message}`));
        const address = this.server.address();
        const port = typeof address === 'object' && address ? address.port : this.options.port;
        resolve(metricsUrl(this.options.host, port));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') return reply(response, 404, 'not found: the metrics are at /metrics\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'use GET\n', { allow: 'GET, HEAD' });
    if (this.options.token !== undefined && !bearerMatches(request.headers.authorization, this.options.token)) {
      return reply(response, 401, 'send Authorization: Bearer <MOAT_METRICS_TOKEN>\n', { 'www-authenticate': 'Bearer realm="moat metrics"' });
    }
    try {
      const { text, contentType } = await this.options.exposition();
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : text);
    } catch (err) {
      this.options.log.error('metrics could not be collected', err);
      reply(response, 503, `metrics unavailable: ${errorText(err)}\n`);
    }
  }
}

/**
 * `http://host:port/metrics` for a listener on HOST. On every interface (0.0.0.0, ::) the URL names the machine's
 * host name, since the wildcard address is no place to scrape from; IPv6 addresses go in brackets.
 */
export function metricsUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}/metrics`;
}

function reply(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
}

/** Compares the presented bearer token with the expected one in constant time (both hashed to one length). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const [scheme, presented] = (header ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !presented) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(token));
}
