import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { errorText } from '../log.js';
import { installFastDataFeed } from './data-feed.js';
import { readProxyHeader } from './proxy-header-reader.js';

/** What the node decides per connection from the client address, before the greeting. */
export interface ConnectionRules {
  /** Pause before the 220 greeting; clients that talk during it get `421 You talk too soon`. */
  greetingDelayMs(clientIp: string): number;
  /** Whether this client may use XCLIENT, or this peer send a PROXY header (the policy's trusted networks). */
  trusted(clientIp: string): boolean;
  /** Commands of any kind, and unrecognised ones, a connection may send before `421` and close. */
  commandLimits(): { maxCommands: number; maxUnknownCommands: number };
}

/**
 * smtp-server's connection with policy hooks and nothing else changed. smtp-server 3.21 hard-codes a
 * 100 ms pause before every greeting in SMTPConnection.init() (an early-talker trap) and accepts XCLIENT only
 * from an exact list of addresses. Both are plain methods, so a subclass replaces them: init() keeps the
 * original's maxClients check and takes the delay from the policy (0: greet at once), and XCLIENT follows the
 * policy's trusted networks (CIDR). The client address is the PROXY-protocol address when PROXY is on.
 */
class MoatConnection extends SMTPConnection {
  private commands = 0;
  private unknownCommands = 0;

  constructor(
    server: SMTPServer,
    socket: Socket | TLSSocket,
    options: SMTPConnectionOptions | null | undefined,
    private readonly rules: ConnectionRules,
  ) {
    super(server, socket, options);
  }

  override init(): void {
    this._setListeners(() => {
      const { maxClients } = this._server.options;
      if (maxClients && this._server.connections.size > maxClients) {
        this.send(421, `${this.name} 4.7.0 Too many connected clients, try again in a moment`, false);
        return;
      }
      const delay = this.rules.greetingDelayMs(this._originalRemoteAddress);
      if (delay <= 0) {
        this.connectionReady();
        return;
      }
      setTimeout(() => this.connectionReady(), delay).unref();
    });
  }

  /**
   * Counts commands against the policy's session limits before smtp-server handles them. smtp-server's own
   * limit of 10 unrecognised commands is fixed, so its counter is kept at 0 and the policy's limit applies.
   * Not counted: input before the greeting (answered "You talk too soon") and continuation lines.
   */
  override _onCommand(command: Buffer, callback?: () => void): void {
    if (this._ready && !this._upgrading && !this._nextHandler) {
      const limits = this.rules.commandLimits();
      const name = command.toString('latin1').split(' ', 1)[0]!.toUpperCase();
      if (++this.commands > limits.maxCommands) {
        this.send(421, '4.7.0 Error: too many commands in one session, closing connection');
        return callback?.();
      }
      if (!this._isSupported(name) || !this._getHandler(name)) {
        if (++this.unknownCommands >= limits.maxUnknownCommands) {
          this.send(421, '4.7.0 Error: too many unrecognized commands, closing connection');
          return callback?.();
        }
        this._unrecognizedCommands = 0;
      }
    }
    super._onCommand(command, callback);
  }

  /** The library's parser, with the message body scanned by indexOf (data-feed.ts). */
  override _createParser(): SMTPStream {
    return installFastDataFeed(super._createParser());
  }

  override _proxyCommandAllowed(command: string, option: 'useXClient' | 'useXForward'): boolean {
    return !!this._server.options[option] && !this._xClient.has('ADDR') && this.rules.trusted(this._originalRemoteAddress) && this._isSupported(command);
  }
}

export class MoatSmtpServer extends SMTPServer {
  constructor(
    options: SMTPServerOptions,
    private readonly rules: ConnectionRules,
  ) {
    super(options);
  }

  /**
   * With `useProxy` every connection starts with a PROXY header. smtp-server 3.21 decodes v1 only, so the header
   * (v1 or v2) is read here instead, while smtp-server's pre-session guard (idle timeout, maxClients, close())
   * still covers the socket. Only a peer in the trusted networks may send one; a refused or malformed header
   * closes the connection and is reported as a server error (one log line). LOCAL (health checks) keeps the
   * peer's own address.
   */
  override _handleProxy(socket: Socket, callback: (err: Error | null, socketOptions?: SMTPConnectionOptions & { id: string }) => void): void {
    if (!this._expectsProxyHeader(socket)) return super._handleProxy(socket, callback);
    const peer = socket.remoteAddress ?? 'unknown';
    const refuse = (reason: string) => {
      const err = new Error(`PROXY: connection from ${peer} closed: ${reason}`);
      this._onError(err);
      callback(err);
    };
    if (!this.rules.trusted(peer)) {
      socket.destroy();
      return refuse('a PROXY header is accepted only from policy.smtp.trustedNetworks');
    }
    readProxyHeader(socket, PROXY_HEADER_TIMEOUT_MS).then(
      (header) => callback(null, { id: sessionId(), ...(header.command === 'proxy' ? { remoteAddress: header.source.address, remotePort: header.source.port } : {}) }),
      (err: unknown) => refuse(errorText(err)),
    );
  }

  /** Same as SMTPServer.connect, with MoatConnection in place of SMTPConnection. */
  override connect(socket: Socket | TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new MoatConnection(this, socket, socketOptions, this.rules);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }
}

/** A proxy sends its header as soon as it connects; a peer that does not is not our proxy. */
const PROXY_HEADER_TIMEOUT_MS = 5_000;

/** The session id smtp-server would have given the connection (16 base32 characters). */
function sessionId(): string {
  return BigInt(`0x${randomBytes(10).toString('hex')}`).toString(32).padStart(16, '0');
}
