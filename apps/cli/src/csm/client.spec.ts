import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { selfSignedCertificate } from '@moat/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CliError } from '../command.js';
import { CsmClient } from './client.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== 'Bearer good') return void res.writeHead(401).end('{"error":"no"}');
    if (req.url === '/ok') return void res.end('{"version":3,"extra":true}');
    if (req.url === '/invalid') return void res.writeHead(400).end('{"error":"invalid policy","problems":["domains.0.name: must be a domain name"]}');
    if (req.url === '/nest') return void res.writeHead(404).end('{"statusCode":404,"message":"message m1 not found","error":"Not Found"}');
    res.end('{"version":"three"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const schema = z.looseObject({ version: z.number() });
const client = (token: string | undefined, at = url) => new CsmClient({ url: at, token, tokenSource: 'test' });

describe('CsmClient', () => {
  it('returns the parsed and the raw answer', async () => {
    const res = await client('good').get('/ok', schema);
    expect(res.data.version).toBe(3);
    expect(res.raw).toEqual({ version: 3, extra: true });
  });

  it('turns error bodies into CliErrors with the problems listed', async () => {
    await expect(client('good').get('/invalid', schema)).rejects.toMatchObject({ message: 'GET /invalid failed (HTTP 400): invalid policy', details: ['domains.0.name: must be a domain name'] });
    await expect(client('good').get('/nest', schema)).rejects.toThrow('GET /nest failed (HTTP 404): message m1 not found');
  });

  it('explains a refused token, a missing token, an unreachable CSM and an unexpected answer', async () => {
    await expect(client('bad').get('/ok', schema)).rejects.toThrow(/refused the token \(HTTP 401\)/);
    await expect(client(undefined).get('/ok', schema)).rejects.toThrow(/no token for the CSM/);
    await expect(client('good', 'http://127.0.0.1:1').get('/ok', schema)).rejects.toThrow(/cannot reach the CSM at http:\/\/127.0.0.1:1/);
    const err = await client('good').get('/other', schema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).details[0]).toMatch(/^version: /);
  });
});

describe('CsmClient over HTTPS', () => {
  let tlsServer: HttpsServer;
  let tlsUrl: string;
  let cert: string;

  beforeAll(async () => {
    const generated = await selfSignedCertificate('moat-test', ['127.0.0.1']);
    cert = generated.cert;
    tlsServer = createHttpsServer(generated, (_req, res) => res.setHeader('content-type', 'application/json').end('{"version":1}'));
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    tlsUrl = `https://127.0.0.1:${(tlsServer.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => tlsServer.close(() => r())));

  it('trusts exactly the certificate its location names, not any self-signed one', async () => {
    const pinned = new CsmClient({ url: tlsUrl, token: 'good', tokenSource: 'test', ca: cert });
    expect((await pinned.get('/ok', schema)).data.version).toBe(1);
    await expect(client('good', tlsUrl).get('/ok', schema)).rejects.toThrow(/cannot reach the CSM at https:.*self-signed certificate/);
    const other = await selfSignedCertificate('other', ['127.0.0.1']);
    await expect(new CsmClient({ url: tlsUrl, token: 'good', tokenSource: 'test', ca: other.cert }).get('/ok', schema)).rejects.toThrow(/cannot reach the CSM/);
  });
});
