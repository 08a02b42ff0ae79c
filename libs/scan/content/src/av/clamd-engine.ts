import { createConnection, type Socket } from 'node:net';
import type { HostPort } from './host-port.js';
import { EngineRefusedError, EngineUnavailableError, type AntivirusEngine, type EngineScanOptions, type EngineVerdict } from './engine.js';

export interface ClamdOptions {
  /** Whole-command deadline, connect to reply (default 30 s); a scan may set its own. */
  timeoutMs?: number;
  /** INSTREAM chunk size (default 64 KiB). */
  chunkBytes?: number;
}

const MAX_REPLY = 64 * 1024;

/**
 * ClamAV through clamd's INSTREAM command over TCP (`z`-prefixed, NUL-terminated commands; the body as
 * length-prefixed chunks ending in a zero length). A refused connection, a reset or a timeout is
 * EngineUnavailableError; "size limit exceeded" and other ERROR replies are EngineRefusedError.
 */
export class ClamdEngine implements AntivirusEngine {
  readonly name = 'clamav';
  readonly kind = 'signature';
  private readonly timeoutMs: number;
  private readonly chunkBytes: number;

  constructor(
    private readonly address: HostPort,
    options: ClamdOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
  }

  async version(): Promise<string> {
    return this.command('VERSION', this.timeoutMs);
  }

  async ping(): Promise<boolean> {
    return (await this.command('PING', this.timeoutMs)) === 'PONG';
  }

  async scan(data: Buffer, options: EngineScanOptions = {}): Promise<EngineVerdict> {
    const reply = await this.command('INSTREAM', options.timeoutMs ?? this.timeoutMs, data);
    if (reply.endsWith(' FOUND')) return { infected: true, signature: reply.replace(/^stream:\s*/, '').replace(/ FOUND$/, '') };
    if (reply.endsWith(': OK') || reply === 'OK') return { infected: false };
    throw new EngineRefusedError(this.name, reply);
  }

  private command(name: string, timeoutMs: number, body?: Buffer): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.address);
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (error: Error | undefined, reply?: string): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        if (error) reject(error);
        else resolve(reply ?? '');
      };
      const timer = setTimeout(() => finish(new EngineUnavailableError(this.name, `no answer to ${name} within ${timeoutMs} ms`)), timeoutMs);
      socket.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY) return finish(new EngineRefusedError(this.name, 'reply too long'));
        chunks.push(chunk);
        const text = Buffer.concat(chunks).toString('utf8');
        const nul = text.indexOf('\0');
        if (nul !== -1) finish(undefined, text.slice(0, nul).trim());
      });
      socket.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').replace(/\0$/, '').trim();
        if (text) finish(undefined, text);
        else finish(new EngineUnavailableError(this.name, `connection closed before an answer to ${name}`));
      });
      socket.on('error', (err) => finish(new EngineUnavailableError(this.name, err.message)));
      socket.on('connect', () => {
        socket.write(`z${name}\0`);
        if (body) void this.stream(socket, body).catch((err: unknown) => finish(new EngineUnavailableError(this.name, err instanceof Error ? err.message : String(err))));
      });
    });
  }

  /** Writes the INSTREAM body with backpressure; clamd may answer (size limit) and close before the end. */
  private async stream(socket: Socket, body: Buffer): Promise<void> {
    for (let pos = 0; pos < body.length && !socket.destroyed; pos += this.chunkBytes) {
      const chunk = body.subarray(pos, pos + this.chunkBytes);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(chunk.length);
      if (!socket.write(Buffer.concat([length, chunk]))) await new Promise<void>((resolve) => socket.once('drain', resolve));
    }
    if (!socket.destroyed) socket.write(Buffer.alloc(4));
  }
}
