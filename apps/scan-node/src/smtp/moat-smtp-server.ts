import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';

/** What the node decides per connection from the client address, before the greeting. */
export interface ConnectionRules {
  /** Pause before the 220 greeting; clients that talk during it get `421 You talk too soon`. */
  greetingDelayMs(clientIp: string): number;
  /** Whether this client may use XCLIENT (an MTA or proxy in the policy's trusted networks). */
  trusted(clientIp: string): boolean;
}

/**
 * smtp-server's connection with two policy hooks and nothing else changed. smtp-server 3.21 hard-codes a
 * 100 ms pause before every greeting in SMTPConnection.init() (an early-talker trap) and accepts XCLIENT only
 * from an exact list of addresses. Both are plain methods, so a subclass replaces them: init() keeps the
 * original's maxClients check and takes the delay from the policy (0: greet at once), and XCLIENT follows the
 * policy's trusted networks (CIDR). The client address is the PROXY-protocol address when PROXY is on.
 */
class MoatConnection extends SMTPConnection {
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

  /** Same as SMTPServer.connect, with MoatConnection in place of SMTPConnection. */
  override connect(socket: Socket | TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new MoatConnection(this, socket, socketOptions, this.rules);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }
}
