import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SiemDestination } from '../csm-config.js';
import { errorMessage } from '../util/errors.js';
import { SyslogSenderRepository, type SyslogConnection } from './syslog-sender.repository.js';

/** Keepalive probes find a receiver that vanished without a FIN (a cut cable), so a stalled write fails. */
const KEEPALIVE_MS = 30_000;

/** SyslogSenderRepository over node:net and node:tls; TLS verifies the receiver against the destination's CA and host. */
@Injectable()
export class TcpSyslogSenderRepository extends SyslogSenderRepository {
  async connect(destination: SiemDestination, timeoutMs: number): Promise<SyslogConnection> {
    const { host, port } = destination;
    const ca = destination.ca ? await readFile(destination.ca) : undefined;
    const socket = destination.tls ? tlsConnect({ host, port, ca, servername: isIP(host) ? undefined : host }) : tcpConnect({ host, port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', fail);
      socket.once(destination.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve();
      });
    });
    socket.setKeepAlive(true, KEEPALIVE_MS);
    return new SocketConnection(socket);
  }
}

class SocketConnection implements SyslogConnection {
  readonly closed: Promise<string>;
  private reason: string | undefined;
  /** Rejects the write in progress (there is at most one: the caller awaits each) when the connection fails. */
  private failWrite: ((err: Error) => void) | undefined;

  constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => {
      const close = (reason: string) => {
        this.reason ??= reason;
        this.failWrite?.(new Error(this.reason));
        resolve(this.reason);
      };
      socket.on('error', (err) => close(errorMessage(err)));
      socket.once('end', () => close('the receiver closed the connection'));
      socket.once('close', () => close('connection closed'));
    });
    // A syslog receiver sends nothing; whatever it might send is read and dropped so it cannot fill a buffer.
    socket.on('data', () => undefined);
  }

  write(bytes: Buffer): Promise<void> {
    if (this.reason !== undefined) return Promise.reject(new Error(this.reason));
    return new Promise<void>((resolve, reject) => {
      this.failWrite = reject;
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    }).finally(() => (this.failWrite = undefined));
  }

  end(timeoutMs: number): Promise<boolean> {
    if (this.socket.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve(false);
      }, timeoutMs);
      this.socket.once('close', (hadError: boolean) => {
        clearTimeout(timer);
        resolve(!hadError);
      });
      this.socket.end();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
