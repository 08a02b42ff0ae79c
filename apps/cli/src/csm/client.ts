import { Agent } from 'undici';
import type { z } from 'zod';
import { CliError } from '../command.js';
import { errorBodySchema } from './api.js';
import type { CsmLocation } from './location.js';

/** A parsed response and the raw JSON it came from (printed as-is by `--json`). */
export interface CsmResponse<T> {
  data: T;
  raw: unknown;
}

/** Thin client of the CSM REST API: authenticates, turns every failure into a CliError that says what to do. */
export class CsmClient {
  /** Trusts exactly the CSM's own certificate when the location names one. */
  private readonly dispatcher: Agent | undefined;

  constructor(private readonly location: CsmLocation) {
    this.dispatcher = location.ca === undefined ? undefined : new Agent({ connect: { ca: location.ca } });
  }

  get<T>(path: string, schema: z.ZodType<T>): Promise<CsmResponse<T>> {
    return this.request('GET', path, schema);
  }

  post<T>(path: string, schema: z.ZodType<T>, body?: unknown): Promise<CsmResponse<T>> {
    return this.request('POST', path, schema, body);
  }

  put<T>(path: string, schema: z.ZodType<T>, body: unknown): Promise<CsmResponse<T>> {
    return this.request('PUT', path, schema, body);
  }

  delete<T>(path: string, schema: z.ZodType<T>): Promise<CsmResponse<T>> {
    return this.request('DELETE', path, schema);
  }

  /** A binary resource (a classifier model file, a message body). */
  async download(path: string): Promise<Buffer> {
    const res = await this.fetch('GET', path, 'application/octet-stream');
    if (!res.ok) {
      const text = await res.text();
      throw errorFromResponse('GET', path, res.status, parseJson(text), text, this.location);
    }
    return Buffer.from(await res.arrayBuffer());
  }

  /** POST /api/auth/login: needs no token, gives one. */
  login<T>(schema: z.ZodType<T>, credentials: { username: string; password: string; totp?: string }): Promise<CsmResponse<T>> {
    return this.request('POST', '/api/auth/login', schema, credentials, false);
  }

  private async request<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown, authenticated = true): Promise<CsmResponse<T>> {
    const res = await this.fetch(method, path, 'application/json', body, authenticated);
    const text = await res.text();
    const json = parseJson(text);
    if (!res.ok) throw errorFromResponse(method, path, res.status, json, text, this.location);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new CliError(`unexpected answer from ${method} ${path}`, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
    }
    return { data: parsed.data, raw: json };
  }

  private async fetch(method: string, path: string, accept: string, body?: unknown, authenticated = true): Promise<Response> {
    if (authenticated && !this.location.token) {
      throw new CliError(`no token for the CSM at ${this.location.url}`, [`looked in ${this.location.tokenSource}`, 'set MOAT_TOKEN (moat login), or run on the machine where `moat up` runs']);
    }
    const headers: Record<string, string> = { accept };
    if (authenticated) headers['authorization'] = `Bearer ${this.location.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) };
      return await fetch(`${this.location.url}${path}`, this.dispatcher ? { ...init, dispatcher: this.dispatcher } : init);
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      throw new CliError(`cannot reach the CSM at ${this.location.url}: ${cause}`, ['start a cluster with `moat up`, or point to one with --csm URL / MOAT_CSM_URL']);
    }
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFromResponse(method: string, path: string, status: number, json: unknown, text: string, location: CsmLocation): CliError {
  if (status === 401 && path === '/api/auth/login') {
    const body = errorBodySchema.safeParse(json);
    return new CliError(`login refused (HTTP 401): ${(body.success && body.data.error) || 'wrong username or password'}`);
  }
  if (status === 401) {
    return new CliError(`the CSM at ${location.url} refused the token (HTTP 401)`, [`token from ${location.tokenSource}`, 'set MOAT_TOKEN to a valid token']);
  }
  const body = errorBodySchema.safeParse(json);
  if (body.success) {
    // NestJS puts the detail in `message` (a string, or a list of validation problems); Moat's own errors use `error`.
    const { error, message, problems } = body.data;
    const summary = (typeof message === 'string' ? message : undefined) ?? error ?? 'no detail';
    return new CliError(`${method} ${path} failed (HTTP ${status}): ${summary}`, problems ?? (Array.isArray(message) ? message : []));
  }
  return new CliError(`${method} ${path} failed (HTTP ${status}): ${text.slice(0, 500) || 'no detail'}`);
}
