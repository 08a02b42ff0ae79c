import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** Calls the CSM's REST API with a bearer token (the local CLI token unless another is given). */
export class CsmApi {
  constructor(
    readonly baseUrl: string,
    private token = '',
  ) {}

  static async withCliToken(baseUrl: string, dataDir: string): Promise<CsmApi> {
    return new CsmApi(baseUrl, (await readFile(join(dataDir, 'cli-token'), 'utf8')).trim());
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** GET that must answer 200. */
  async get<T>(path: string): Promise<T> {
    const response = await this.call<T>('GET', path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }
}
