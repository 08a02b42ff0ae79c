import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readProxyHeader } from './proxy-header-reader.js';

/** A loopback connection: the accepted (server) side and the client side. */
async function socketPair(): Promise<{ server: Socket; client: Socket; close(): void }> {
  const listener: Server = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect(address.port, '127.0.0.1');
  client.on('error', () => undefined);
  const [server] = await accepted;
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

let open: { close(): void } | undefined;
afterEach(() => open?.close());

describe('readProxyHeader', () => {
  it('reads a header sent in pieces and leaves what follows it to the next reader', async () => {
    const pair = (open = await socketPair());
    const read = readProxyHeader(pair.server, 2000);
    pair.client.write('PROXY TCP4 192.0.');
    await sleep(20);
    pair.client.write('2.7 10.0.0.1 40000 25\r\nEHLO client.example\r\n');
    await expect(read).resolves.toMatchObject({ command: 'proxy', source: { address: '192.0.2.7', port: 40000 } });
    const rest: Buffer[] = [];
    pair.server.on('data', (chunk: Buffer) => rest.push(chunk));
    await sleep(20);
    expect(Buffer.concat(rest).toString()).toBe('EHLO client.example\r\n');
  });

  it('closes the connection on garbage, saying what it got', async () => {
    const pair = (open = await socketPair());
    const read = readProxyHeader(pair.server, 2000);
    pair.client.write('EHLO client.example\r\n');
    await expect(read).rejects.toThrow('not a PROXY protocol header (21 bytes received)');
    expect(pair.server.destroyed).toBe(true);
  });

  it('gives up after the timeout on a peer that sends nothing', async () => {
    const pair = (open = await socketPair());
    await expect(readProxyHeader(pair.server, 100)).rejects.toThrow('no PROXY header within 100 ms');
    expect(pair.server.destroyed).toBe(true);
  });

  it('rejects a header cut short by the peer closing', async () => {
    const pair = (open = await socketPair());
    const read = readProxyHeader(pair.server, 2000);
    pair.client.end('\r\n\r\n\x00\r\nQUIT\n\x21\x11');
    await expect(read).rejects.toThrow('connection ended before a whole PROXY header (14 bytes received)');
  });
});
