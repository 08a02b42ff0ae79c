import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SandboxAnswer, SandboxCall, SandboxClient, SandboxSample } from '@moat/pipeline';
import { SANDBOX_LEVELS, type SandboxLevel, type SandboxServer } from '@moat/policy';
import { errorText, type Logger } from '../log.js';

/** Longest answer body read from a server: the interface's answers are a few hundred bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** A verdict is reused for the same content for this long (the same attachment in a campaign, a retried message). */
const CACHE_MS = 10 * 60_000;
const CACHE_ENTRIES = 10_000;

type Verdict = { level: SandboxLevel; detail: string };
/** One server's state of a submission, as its answers say. */
type Submission = { id: string; verdict?: Verdict };

/** Why one server was given up: the next one is tried. */
class ServerFailure extends Error {}

/**
 * The HTTP client of docs/sandbox-interface.md: submits a sample to the first server, polls until a verdict or
 * the deadline, and moves to the next server on a connection error, a non-2xx answer or an unreadable one.
 * Verdicts are cached by content hash; the same content analysed by several sessions at once is submitted once.
 */
export class HttpSandboxClient implements SandboxClient {
  private readonly cache = new Map<string, { verdict: Verdict; server: string; atMs: number }>();
  private readonly inFlight = new Map<string, Promise<SandboxAnswer>>();
  private readonly cas = new Map<string, Promise<Buffer>>();

  constructor(private readonly log: Logger) {}

  analyse(sample: SandboxSample, call: SandboxCall): Promise<SandboxAnswer> {
    const hit = this.cache.get(sample.sha256);
    if (hit && Date.now() - hit.atMs < CACHE_MS) return Promise.resolve({ outcome: 'verdict', ...hit.verdict, server: hit.server, latencyMs: 0, failedOver: [], cached: true });
    const running = this.inFlight.get(sample.sha256);
    if (running) return running;
    const answer = this.analyseOnce(sample, call).finally(() => this.inFlight.delete(sample.sha256));
    this.inFlight.set(sample.sha256, answer);
    return answer;
  }

  private async analyseOnce(sample: SandboxSample, call: SandboxCall): Promise<SandboxAnswer> {
    const failedOver: string[] = [];
    const problems: string[] = [];
    for (const server of call.servers) {
      const started = Date.now();
      try {
        const verdict = await this.onServer(server, sample, call);
        const latencyMs = Date.now() - started;
        if (!verdict) return { outcome: 'timeout', server: server.url, latencyMs, failedOver };
        this.remember(sample.sha256, verdict, server.url);
        return { outcome: 'verdict', ...verdict, server: server.url, latencyMs, failedOver, cached: false };
      } catch (err) {
        const problem = `${server.url}: ${errorText(err)}`;
        this.log.warn(`sandbox ${sample.sha256.slice(0, 16)}: ${problem}`);
        problems.push(problem);
        failedOver.push(server.url);
        if (Date.now() >= call.deadlineMs) break;
      }
    }
    // The last server given up is not a failover: no server took over from it.
    failedOver.pop();
    return { outcome: 'unavailable', detail: `no sandbox server answered (${problems.join('; ')})`, failedOver };
  }

  /** The verdict of one server, or undefined at the deadline; throws ServerFailure (or a network error) to fail over. */
  private async onServer(server: SandboxServer, sample: SandboxSample, call: SandboxCall): Promise<Verdict | undefined> {
    const body = JSON.stringify({ messageId: sample.messageId, direction: sample.direction, fileName: sample.fileName, fileType: sample.fileType, sha256: sample.sha256, size: sample.content.length, content: sample.content.toString('base64') });
    const submitted = await this.call(server, 'POST', '/v1/submissions', body, call.deadlineMs);
    if (submitted === undefined) return undefined;
    let submission = submissionOf(submitted);
    for (;;) {
      if (submission.verdict) return submission.verdict;
      const wait = Math.min(call.pollIntervalMs, call.deadlineMs - Date.now());
      if (wait <= 0) return undefined;
      await new Promise((resolve) => setTimeout(resolve, wait));
      const polled = await this.call(server, 'GET', `/v1/submissions/${encodeURIComponent(submission.id)}`, undefined, call.deadlineMs);
      if (polled === undefined) return undefined;
      submission = { ...submissionOf(polled), id: submission.id };
    }
  }

  /** One request: the parsed JSON answer, undefined when the deadline came first. */
  private async call(server: SandboxServer, method: 'GET' | 'POST', path: string, body: string | undefined, deadlineMs: number): Promise<unknown> {
    const timeoutMs = deadlineMs - Date.now();
    if (timeoutMs <= 0) return undefined;
    const url = new URL(server.url + path);
    const ca = server.caFile ? await this.caOf(server.caFile) : undefined;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (server.token) headers.authorization = `Bearer ${server.token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise<unknown>((resolve, reject) => {
      const options = { method, headers, ...(ca ? { ca } : {}) };
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => readAnswer(res).then(resolve, reject));
      const timer = setTimeout(() => {
        req.destroy();
        resolve(undefined);
      }, timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err) => reject(err));
      req.end(body);
    });
  }

  private caOf(file: string): Promise<Buffer> {
    let ca = this.cas.get(file);
    if (!ca) {
      ca = readFile(file);
      ca.catch(() => this.cas.delete(file));
      this.cas.set(file, ca);
    }
    return ca;
  }

  private remember(sha256: string, verdict: Verdict, server: string): void {
    if (this.cache.size >= CACHE_ENTRIES) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(sha256, { verdict, server, atMs: Date.now() });
  }
}

async function readAnswer(res: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      res.destroy();
      throw new ServerFailure(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const status = res.statusCode ?? 0;
  const text = Buffer.concat(chunks).toString('utf8');
  if (status < 200 || status > 299) throw new ServerFailure(`HTTP ${status} ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ServerFailure('answer is not JSON');
  }
}

/** Reads `{id, state, verdict}` (docs/sandbox-interface.md); anything else is a failure of that server. */
export function submissionOf(answer: unknown): Submission {
  if (typeof answer !== 'object' || answer === null) throw new ServerFailure('answer is not a JSON object');
  const { id, state, verdict } = answer as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw new ServerFailure('answer has no submission id');
  if (state === 'pending') return { id };
  if (state !== 'done') throw new ServerFailure(`unknown state ${JSON.stringify(state)}`);
  if (typeof verdict !== 'object' || verdict === null) throw new ServerFailure('done without a verdict');
  const { level, detail } = verdict as Record<string, unknown>;
  if (!SANDBOX_LEVELS.includes(level as SandboxLevel)) throw new ServerFailure(`unknown verdict level ${JSON.stringify(level)}`);
  return { id, verdict: { level: level as SandboxLevel, detail: typeof detail === 'string' ? detail.slice(0, 500) : '' } };
}
