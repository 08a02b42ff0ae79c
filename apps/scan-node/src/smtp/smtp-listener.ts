import type { SMTPServerOptions } from 'smtp-server';
import type { Logger } from '../log.js';
import type { ActivePolicy, PolicyStore } from '../policy/policy-store.js';
import { MoatSmtpServer } from './moat-smtp-server.js';
import type { InboundTls } from './inbound-tls.js';
import type { SmtpGateway, SmtpMode } from './smtp-gateway.js';
import { recordTls } from './tls-facts.js';

export interface ListenerOptions {
  nodeName: string;
  /** relay: the MX listener (no AUTH); submission: STARTTLS, AUTH only after it; submissions: implicit TLS. */
  mode: SmtpMode;
  host: string;
  port: number;
  proxyProtocol: boolean;
  /** Certificates (own and per domain by SNI), protocol floor and ciphers. */
  tls: InboundTls;
  policies: PolicyStore;
  log: Logger;
}

/** Grace period at shutdown for sessions in progress before they get `421 Server shutting down`. */
const CLOSE_TIMEOUT_MS = 15_000;

/**
 * The SMTP listener: smtp-server configured from the policy (limits that smtp-server enforces itself are
 * updated when a new policy arrives), wired to the gateway's hooks. AUTH (PLAIN, LOGIN) only on the
 * submission listeners, and on port 587's only after STARTTLS (smtp-server answers 538 before it); no reverse
 * DNS in the SMTP path (a PTR check belongs to the pipeline, where it can be cached and scored).
 */
export class SmtpListener {
  readonly server: MoatSmtpServer;
  readonly gateway: SmtpGateway;
  readonly mode: SmtpMode;

  /** CREATEGATEWAY receives the function that ends a connection with a 421 reply (for the data timeout). */
  constructor(
    private readonly options: ListenerOptions,
    createGateway: (closeConnection: (sessionId: string, reply: string) => void) => SmtpGateway,
  ) {
    const gateway = createGateway((sessionId, reply) => this.closeConnection(sessionId, reply));
    this.gateway = gateway;
    this.mode = options.mode;
    const smtp = options.policies.current.policy.smtp;
    const serverOptions: SMTPServerOptions = {
      name: options.nodeName,
      banner: smtp.banner,
      ...options.tls.serverOptions(),
      ...(options.mode === 'relay' ? { disabledCommands: ['AUTH'] } : { authMethods: ['PLAIN', 'LOGIN'], secure: options.mode === 'submissions' }),
      // The gateway refuses MAIL without AUTH on the submission listeners, except from outbound.trustedNetworks.
      authOptional: true,
      disableReverseLookup: true,
      useProxy: options.proxyProtocol,
      useXClient: true,
      hideDSN: true,
      logger: false,
      closeTimeout: CLOSE_TIMEOUT_MS,
      ...limits(options.policies.current),
      onConnect: (session, callback) => gateway.onConnect(session, callback),
      onAuth: (auth, session, callback) => gateway.onAuth(auth, session, callback),
      onMailFrom: (address, session, callback) => gateway.onMailFrom(address, session, callback),
      onRcptTo: (address, session, callback) => gateway.onRcptTo(address, session, callback),
      onData: (stream, session, callback) => gateway.onData(stream, session, callback),
      onClose: (session) => gateway.onClose(session),
      onSecure: (socket, session, callback) => {
        recordTls(session, socket);
        callback();
      },
    };
    this.server = new MoatSmtpServer(serverOptions, {
      greetingDelayMs: (ip) => {
        const active = options.policies.current;
        return active.trustedNetworks.has(ip) ? 0 : active.policy.smtp.greetingDelayMs;
      },
      trusted: (ip) => options.policies.current.trustedNetworks.has(ip),
      commandLimits: () => {
        const smtp = options.policies.current.policy.smtp;
        return { maxCommands: smtp.maxCommandsPerSession, maxUnknownCommands: smtp.maxUnknownCommands };
      },
      forbidsPipelining: (ip) => {
        const active = options.policies.current;
        return active.policy.smtp.forbidUnauthPipelining && !active.trustedNetworks.has(ip);
      },
      pipelinedAfterData: (sessionId) => gateway.pipelinedAfterData(sessionId),
    });
    this.server.on('error', (err) => options.log.warn(`SMTP: ${err.message}`));
    options.tls.attach(this.server);
    options.policies.onChange((active) => {
      Object.assign(this.server.options, limits(active), { banner: active.policy.smtp.banner });
      options.tls.applySettings(active.policy.tls);
    });
  }

  /** Resolves with the address it listens on. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.server.off('error', reject);
        const address = this.server.server.address();
        resolve(typeof address === 'object' && address ? `${this.options.host}:${address.port}` : `${this.options.host}:${this.options.port}`);
      });
    });
  }

  /** Stops accepting connections and waits for sessions in progress (up to the grace period). */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private closeConnection(sessionId: string, reply: string): void {
    for (const connection of this.server.connections) {
      if (connection.id === sessionId) {
        connection.send(421, reply);
        return;
      }
    }
  }
}

/** The policy limits smtp-server applies itself: SIZE in EHLO and MAIL, total connections, idle timeout. */
function limits(active: ActivePolicy): Pick<SMTPServerOptions, 'size' | 'maxClients' | 'socketTimeout'> {
  const smtp = active.policy.smtp;
  return { size: smtp.maxMessageBytes, maxClients: smtp.maxConnections, socketTimeout: smtp.idleTimeoutMs };
}
