import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent } from 'undici';

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** Where a CSM serves its API: the URL, and the certificate it presents over HTTPS (its own self-signed one). */
export interface CsmEndpoint {
  baseUrl: string;
  ca: string | undefined;
}

/**
 * Calls the CSM's REST API with a bearer token (the local CLI token unless another is given), trusting exactly
 * the CSM's certificate, from LOCALADDRESS when given (another loopback address is another client).
 */
export class CsmApi {
  private readonly dispatcher: Agent;

  constructor(
    readonly endpoint: CsmEndpoint,
    private token = '',
    localAddress?: string,
  ) {
    this.dispatcher = new Agent({ ...(localAddress ? { localAddress } : {}), ...(endpoint.ca ? { connect: { ca: endpoint.ca } } : {}) });
  }

  static async withCliToken(endpoint: CsmEndpoint & { dataDir: string }): Promise<CsmApi> {
    return new CsmApi(endpoint, (await readFile(join(endpoint.dataDir, 'cli-token'), 'utf8')).trim());
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const response = await this.fetch(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** GET that must answer 200. */
  async get<T>(path: string): Promise<T> {
    const response = await this.call<T>('GET', path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** The whole response (headers too), for any body and content type. */
  fetch(path: string, options: { method?: string; body?: string; contentType?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (options.contentType) headers['content-type'] = options.contentType;
    return fetch(`${this.endpoint.baseUrl}${path}`, { method: options.method ?? 'GET', headers, body: options.body, dispatcher: this.dispatcher });
  }
}
