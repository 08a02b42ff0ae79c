import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { errorText } from '../log.js';
import { installFastDataFeed } from './data-feed.js';
import { PipeliningGuard, SYNC_ERROR } from './pipelining-guard.js';
import { readProxyHeader } from './proxy-header-reader.js';

/** What the node decides per connection from the client address, before the greeting. */
export interface ConnectionRules {
  /** Pause before the 220 greeting; clients that talk during it get `421 You talk too soon`. */
  greetingDelayMs(clientIp: string): number;
  /** Whether this client may use XCLIENT, or this peer send a PROXY header (the policy's trusted networks). */
  trusted(clientIp: string): boolean;
  /** Commands of any kind, and unrecognised ones, a connection may send before `421` and close. */
  commandLimits(): { maxCommands: number; maxUnknownCommands: number };
  /** Whether this client's input after a command that needs its reply first is refused (`smtp.forbidUnauthPipelining`). */
  forbidsPipelining(clientIp: string): boolean;
  /** The client sent input after the end of data before the reply: the message in progress must be refused. */
  pipelinedAfterData(sessionId: string): void;
}

/**
 * smtp-server's connection with policy hooks and nothing else changed. smtp-server 3.21 hard-codes a
 * 100 ms pause before every greeting in SMTPConnection.init() (an early-talker trap) and accepts XCLIENT only
 * from an exact list of addresses. Both are plain methods, so a subclass replaces them: init() keeps the
 * original's maxClients check and takes the delay from the policy (0: greet at once), and XCLIENT follows the
 * policy's trusted networks (CIDR). The client address is the PROXY-protocol address when PROXY is on.
 * For clients outside the trusted networks it also refuses unauthorised pipelining (pipelining-guard.ts).
 */
class MoatConnection extends SMTPConnection {
  private commands = 0;
  private unknownCommands = 0;
  /** Set in init() for a client whose unauthorised pipelining is refused. */
  private pipelining: PipeliningGuard | undefined;

  constructor(
    server: SMTPServer,
    socket: Socket | TLSSocket,
    options: SMTPConnectionOptions | null | undefined,
    private readonly rules: ConnectionRules,
  ) {
    super(server, socket, options);
  }

  override init(): void {
    if (this.rules.forbidsPipelining(this._originalRemoteAddress)) this.pipelining = new PipeliningGuard(() => this.rules.pipelinedAfterData(this.id));
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
    // Every line the parser hands on is counted, so the guard's count stays the parser's.
    const pipelinedAfter = this.pipelining?.dispatch(command.toString('latin1'));
    if (pipelinedAfter && this._ready && !this._upgrading) {
      this.refusePipelining(pipelinedAfter);
      return callback?.();
    }
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

  /**
   * The library's parser, with the message body scanned by indexOf (data-feed.ts) and, for a client whose
   * unauthorised pipelining is refused, its input shown to the PipeliningGuard first: each chunk as it arrives
   * (dropped when it came before an awaited reply), each chunk's command lines before they are handed on, and
   * what follows the final dot (dropped: those commands never run).
   */
  override _createParser(): SMTPStream {
    const parser = installFastDataFeed(super._createParser());
    const write = parser.write.bind(parser) as (chunk: Buffer, ...rest: unknown[]) => boolean;
    const parse = parser._write.bind(parser);
    const endData = parser._endDataMode.bind(parser);
    parser.write = ((chunk: Buffer, ...rest: unknown[]) => (this.pipelining?.arrived(chunk.length) ? true : write(chunk, ...rest))) as SMTPStream['write'];
    parser._write = (chunk, encoding, next) => {
      if (!parser._dataMode) this.pipelining?.commandInput(parser._remainder + chunk.toString('latin1'), this.openingCommand === 'EHLO');
      parse(chunk, encoding, next);
    };
    parser._endDataMode = (chunk, remainder, callback) => {
      endData(chunk, this.pipelining?.dataEnded(remainder.length) ? Buffer.alloc(0) : remainder, callback);
    };
    return parser;
  }

  /** Every reply ends a wait; after the reply that input came too early for, the connection closes. */
  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    super.send(code, data, context);
    const guard = this.pipelining;
    if (!guard) return;
    guard.replied();
    if (guard.violation && code !== 354 && !this._closing) this.refusePipelining(guard.violation, code === SYNC_ERROR.code);
  }

  /** Answers unauthorised pipelining (unless ANSWERED) and closes the connection, so nothing sent after runs. */
  private refusePipelining(after: string, answered = false): void {
    this._server.logger.info({ tnx: 'pipelining', cid: this.id, host: this.remoteAddress }, 'improper command pipelining after %s', after);
    if (!answered) super.send(SYNC_ERROR.code, SYNC_ERROR.message);
    this.close();
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
