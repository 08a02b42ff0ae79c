import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClamdEngine } from './clamd-engine.js';
import { EngineRefusedError, EngineUnavailableError } from './engine.js';

// A loopback socket that behaves like a broken or refusing clamd; the real clamd runs in test/content.
let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function fakeClamd(onConnection: (socket: Socket) => void): Promise<number> {
  server = createServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)));
}

describe('ClamdEngine', () => {
  it('is unavailable when nothing listens', async () => {
    const port = await fakeClamd((s) => s.destroy());
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    await expect(new ClamdEngine({ host: '127.0.0.1', port }).scan(Buffer.from('x'))).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('is unavailable when clamd does not answer in time', async () => {
    const port = await fakeClamd(() => undefined);
    await expect(new ClamdEngine({ host: '127.0.0.1', port }, { timeoutMs: 200 }).scan(Buffer.from('x'))).rejects.toThrow(/no answer to INSTREAM within 200 ms/);
  });

  it('takes a per-scan timeout over its own', async () => {
    const port = await fakeClamd(() => undefined);
    await expect(new ClamdEngine({ host: '127.0.0.1', port }, { timeoutMs: 60_000 }).scan(Buffer.from('x'), { timeoutMs: 150 })).rejects.toThrow(/no answer to INSTREAM within 150 ms/);
  });

  it('is unavailable when clamd closes without an answer', async () => {
    const port = await fakeClamd((s) => s.once('data', () => s.end()));
    await expect(new ClamdEngine({ host: '127.0.0.1', port }).scan(Buffer.from('x'))).rejects.toBeInstanceOf(EngineUnavailableError);
  });

  it('reports a size-limit reply as refused, not as clean', async () => {
    const port = await fakeClamd((s) => s.once('data', () => s.end('INSTREAM size limit exceeded. ERROR\0')));
    await expect(new ClamdEngine({ host: '127.0.0.1', port }).scan(Buffer.alloc(10))).rejects.toBeInstanceOf(EngineRefusedError);
  });

  it('parses FOUND and OK replies', async () => {
    const port = await fakeClamd((s) => s.once('data', () => s.end('stream: Eicar-Test-Signature FOUND\0')));
    expect(await new ClamdEngine({ host: '127.0.0.1', port }).scan(Buffer.from('x'))).toEqual({ infected: true, signature: 'Eicar-Test-Signature' });
  });
});
