import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import { selfSignedCertificate } from '@moat/tls';
import type { SandboxCall, SandboxSample } from '@moat/pipeline';
import type { SandboxServer } from '@moat/policy';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { HttpSandboxClient, submissionOf } from './http-sandbox-client.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const servers: Server[] = [];

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const json = (res: ServerResponse, status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function listen(server: Server, handler: Handler): Promise<string> {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `${server instanceof TlsServer ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server that answers `pending` `pendingPolls` times, then the level; counts the submissions it received. */
function analyser(level: string, pendingPolls = 0) {
  const counts = { submitted: 0, polled: 0 };
  const handler: Handler = (req, res) => {
    if (req.method === 'POST') {
      counts.submitted++;
      return json(res, 202, { id: 'x1', state: 'pending' });
    }
    counts.polled++;
    return json(res, 200, counts.polled > pendingPolls ? { id: 'x1', state: 'done', verdict: { level, detail: 'seen' } } : { id: 'x1', state: 'pending' });
  };
  return { counts, handler };
}

const sample = (sha256 = 'a'.repeat(64)): SandboxSample => ({ messageId: '<m@x>', direction: 'inbound', fileName: 'a.pdf', fileType: 'application/pdf', sha256, content: Buffer.from('%PDF-1.4') });
const call = (list: SandboxServer[], timeoutMs = 2000): SandboxCall => ({ servers: list, pollIntervalMs: 20, deadlineMs: Date.now() + timeoutMs });

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

describe('HttpSandboxClient', () => {
  it('submits, polls until done, sends the token and the sample as documented', async () => {
    let submitted: Record<string, unknown> = {};
    let auth: string | undefined;
    const { counts, handler } = analyser('high', 2);
    const url = await listen(createHttpServer(), (req, res, body) => {
      auth = req.headers.authorization;
      if (req.method === 'POST') submitted = JSON.parse(body) as Record<string, unknown>;
      handler(req, res, body);
    });
    const answer = await new HttpSandboxClient(quiet).analyse(sample(), call([{ url, token: 't0k' }]));
    expect(answer).toMatchObject({ outcome: 'verdict', level: 'high', detail: 'seen', server: url, failedOver: [], cached: false });
    expect(counts.polled).toBe(3);
    expect(auth).toBe('Bearer t0k');
    expect(submitted).toEqual({ messageId: '<m@x>', direction: 'inbound', fileName: 'a.pdf', fileType: 'application/pdf', sha256: 'a'.repeat(64), size: 8, content: Buffer.from('%PDF-1.4').toString('base64') });
  });

  it('fails over on a 5xx and on a refused connection, naming the servers given up', async () => {
    const broken = await listen(createHttpServer(), (_req, res) => json(res, 503, { error: 'busy' }));
    const closed = createHttpServer();
    const refused = await listen(closed, () => undefined);
    closed.close();
    const good = await listen(createHttpServer(), analyser('low').handler);
    const answer = await new HttpSandboxClient(quiet).analyse(sample(), call([{ url: broken }, { url: refused }, { url: good }]));
    expect(answer).toMatchObject({ outcome: 'verdict', level: 'low', server: good, failedOver: [broken, refused] });
  });

  it('reports unavailable when no server answers, and a timeout when the verdict is late', async () => {
    const broken = await listen(createHttpServer(), (_req, res) => json(res, 200, { state: 'done' }));
    const unavailable = await new HttpSandboxClient(quiet).analyse(sample(), call([{ url: broken }]));
    expect(unavailable).toMatchObject({ outcome: 'unavailable', failedOver: [], detail: expect.stringContaining('answer has no submission id') });
    const slow = await listen(createHttpServer(), analyser('high', 1000).handler);
    const started = Date.now();
    const late = await new HttpSandboxClient(quiet).analyse(sample(), call([{ url: slow }], 300));
    expect(late).toMatchObject({ outcome: 'timeout', server: slow });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('caches a verdict by content hash and submits content being analysed once', async () => {
    const { counts, handler } = analyser('clean', 1);
    const url = await listen(createHttpServer(), handler);
    const client = new HttpSandboxClient(quiet);
    const [a, b] = await Promise.all([client.analyse(sample(), call([{ url }])), client.analyse(sample(), call([{ url }]))]);
    expect(a).toEqual(b);
    expect(await client.analyse(sample(), call([{ url }]))).toMatchObject({ outcome: 'verdict', level: 'clean', cached: true, latencyMs: 0 });
    expect(counts.submitted).toBe(1);
    await client.analyse(sample('b'.repeat(64)), call([{ url }]));
    expect(counts.submitted).toBe(2);
  });

  it('speaks TLS, trusting the caFile the policy names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moat-sandbox-'));
    try {
      const { key, cert } = await selfSignedCertificate('sandbox.test', ['127.0.0.1']);
      await writeFile(join(dir, 'ca.pem'), cert);
      const url = await listen(createHttpsServer({ key, cert }), analyser('medium').handler);
      expect(url.startsWith('https://')).toBe(true);
      const client = new HttpSandboxClient(quiet);
      expect(await client.analyse(sample(), call([{ url, caFile: join(dir, 'ca.pem') }]))).toMatchObject({ outcome: 'verdict', level: 'medium' });
      expect(await client.analyse(sample('c'.repeat(64)), call([{ url }]))).toMatchObject({ outcome: 'unavailable', detail: expect.stringMatching(/self-signed|certificate/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads only the documented answers', () => {
    expect(submissionOf({ id: 'a', state: 'pending' })).toEqual({ id: 'a' });
    expect(submissionOf({ id: 'a', state: 'done', verdict: { level: 'malicious', detail: 7 } })).toEqual({ id: 'a', verdict: { level: 'malicious', detail: '' } });
    expect(() => submissionOf({ id: 'a', state: 'done', verdict: { level: 'evil' } })).toThrow(/unknown verdict level/);
    expect(() => submissionOf({ id: 'a', state: 'queued' })).toThrow(/unknown state/);
    expect(() => submissionOf([])).toThrow(/no submission id/);
    expect(() => submissionOf(null)).toThrow(/not a JSON object/);
  });
});
