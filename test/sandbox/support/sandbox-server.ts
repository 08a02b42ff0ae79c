import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the test server answers for one sample: a verdict after `delayMs`, or never (`pending` forever). */
export type Behaviour = { level: string; detail: string; delayMs: number } | 'never';

export interface ReceivedSubmission {
  id: string;
  messageId: string;
  direction: string;
  fileName: string;
  fileType: string;
  sha256: string;
  content: Buffer;
  authorization: string | undefined;
}

/**
 * An analysis server implementing docs/sandbox-interface.md, on 127.0.0.1, for the tests: `decide` picks the
 * behaviour per sample (the tests put an `X-Test-Verdict` header in the message), every submission is recorded.
 */
export class TestSandboxServer {
  readonly received: ReceivedSubmission[] = [];
  private readonly submissions = new Map<string, { behaviour: Behaviour; atMs: number }>();
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly decide: (sample: ReceivedSubmission) => Behaviour,
    private readonly token?: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) return answer(res, 401, { error: 'bad token' });
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'POST' && url.pathname === '/v1/submissions') {
      const chunks: Buffer[] = [];
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>;
      const sample: ReceivedSubmission = {
        id: randomUUID(),
        messageId: body['messageId'] ?? '',
        direction: body['direction'] ?? '',
        fileName: body['fileName'] ?? '',
        fileType: body['fileType'] ?? '',
        sha256: body['sha256'] ?? '',
        content: Buffer.from(body['content'] ?? '', 'base64'),
        authorization: req.headers.authorization,
      };
      this.received.push(sample);
      this.submissions.set(sample.id, { behaviour: this.decide(sample), atMs: Date.now() });
      return answer(res, 202, this.state(sample.id));
    }
    const match = /^\/v1\/submissions\/([0-9a-f-]{36})$/.exec(url.pathname);
    if (req.method === 'GET' && match?.[1] && this.submissions.has(match[1])) return answer(res, 200, this.state(match[1]));
    return answer(res, 404, { error: 'unknown submission' });
  }

  private state(id: string): object {
    const submission = this.submissions.get(id);
    if (!submission) return { id, state: 'unknown' };
    const { behaviour, atMs } = submission;
    if (behaviour === 'never' || Date.now() - atMs < behaviour.delayMs) return { id, state: 'pending' };
    return { id, state: 'done', verdict: { level: behaviour.level, detail: behaviour.detail } };
  }
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
