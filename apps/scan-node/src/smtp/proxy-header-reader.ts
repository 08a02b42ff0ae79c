import type { Socket } from 'node:net';
import { decodeProxyHeader, type ProxyHeader } from './proxy-header.js';

/**
 * Reads the PROXY header off the start of SOCKET, leaving every byte after it unread for the SMTP session.
 * Rejects when the bytes are not a valid header, the peer stops (end, close, error) before a whole one, or
 * TIMEOUTMS pass; on rejection the socket is already destroyed, and later socket errors are swallowed, so
 * nothing of a refused connection outlives it or reaches the process as an uncaught error.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<ProxyHeader> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => fail(`no PROXY header within ${timeoutMs} ms`), timeoutMs);
    const onReadable = () => {
      for (let chunk: Buffer | null; (chunk = socket.read() as Buffer | null) !== null; ) {
        received = Buffer.concat([received, chunk]);
        const result = decodeProxyHeader(received);
        if (result.status === 'incomplete') continue;
        if (result.status === 'invalid') return fail(result.reason);
        finish();
        // What the client sent after the header goes back to the stream smtp-server's parser will read.
        if (received.length > result.header.length) socket.unshift(received.subarray(result.header.length));
        return resolve(result.header);
      }
    };
    const onEnd = () => fail('connection ended before a whole PROXY header');
    const onError = (err: Error) => fail(`socket error before a whole PROXY header: ${err.message}`);
    const finish = () => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
    const fail = (reason: string) => {
      finish();
      socket.on('error', () => undefined);
      socket.destroy();
      reject(new Error(received.length ? `${reason} (${received.length} bytes received)` : reason));
    };
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
  });
}
