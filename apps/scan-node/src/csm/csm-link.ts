import { credentials, Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { NodeServiceClient } from '@moat/proto/grpc';
import { generateKeyAndCsr } from '@moat/tls';
import { errorText, type Logger } from '../log.js';
import { SOFTWARE_VERSION } from '../version.js';
import { Backoff } from './backoff.js';
import type { IdentityFile, NodeIdentity } from './identity.js';

export interface CsmLinkOptions {
  /** The CSM's node port (MOAT_CSM_GRPC). */
  address: string;
  /** The CSM's enrolment port (MOAT_CSM_ENROL). */
  enrolAddress: string;
  /** TLS verifying the CSM's certificate against CA (null: the system's CAs); undefined: plaintext (MOAT_CSM_TLS=off). */
  tls: { ca: Buffer | null } | undefined;
  nodeName: string;
  smtpAddress: string;
  enrolToken: string | undefined;
  /** The identity found in the data dir at start, if the node has enrolled before. */
  identity: NodeIdentity | undefined;
  identityFile: IdentityFile;
  log: Logger;
}

/** One of the node's long-running exchanges with the CSM (heartbeat, policy watch, control stream). */
export interface CsmLoop {
  start(channel: CsmLink): void;
  stop(): void;
}

/** Forwarded messages arrive whole on the control stream: room for the largest message a node accepts. */
const MAX_RECEIVE_BYTES = 64 * 1024 * 1024;
const CHANNEL_OPTIONS = { 'grpc.keepalive_time_ms': 20_000, 'grpc.keepalive_timeout_ms': 10_000, 'grpc.keepalive_permit_without_calls': 1, 'grpc.max_receive_message_length': MAX_RECEIVE_BYTES };

/**
 * The node's gRPC client to the CSM: enrols once with MOAT_ENROL_TOKEN on the enrolment port (sending a CSR for a
 * key it makes; identity, key and certificate kept in the data dir), then runs its loops on the node port with
 * its client certificate in the TLS handshake and its id and secret as call metadata. Nothing here blocks mail:
 * while the CSM is away the node runs on its persisted policy and the loops retry with back-off. If the CSM no
 * longer knows the node or its certificate (UNAUTHENTICATED) and a token is configured, the node enrols again.
 */
export class CsmLink {
  private currentClient: NodeServiceClient;
  private current: NodeIdentity | undefined;
  private stopped = false;
  private enrolling: Promise<void> | undefined;
  private readonly identityListeners: Array<(identity: NodeIdentity) => void> = [];

  constructor(
    private readonly options: CsmLinkOptions,
    private readonly loops: readonly CsmLoop[],
  ) {
    // Over TLS an identity without a client certificate (from a CSM that served no TLS) cannot be used.
    this.current = options.identity && (!options.tls || options.identity.certificate) ? options.identity : undefined;
    this.currentClient = new NodeServiceClient(options.address, this.nodeCredentials(this.current), CHANNEL_OPTIONS);
  }

  /** The client on the node port, with the current identity's certificate (replaced at each enrolment). */
  get client(): NodeServiceClient {
    return this.currentClient;
  }

  get log(): Logger {
    return this.options.log;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  get identity(): NodeIdentity | undefined {
    return this.current;
  }

  onIdentity(listener: (identity: NodeIdentity) => void): void {
    this.identityListeners.push(listener);
  }

  /** Starts the loops, after enrolling in the background if the node has no identity yet. */
  start(): void {
    if (this.current) {
      for (const loop of this.loops) loop.start(this);
      return;
    }
    if (!this.options.enrolToken) {
      throw new Error('MOAT_ENROL_TOKEN is required for the first start of a node (no identity.json with a client certificate in its data dir yet)');
    }
    void this.enrol().then(() => {
      if (!this.stopped) for (const loop of this.loops) loop.start(this);
    });
  }

  metadata(): Metadata {
    const metadata = new Metadata();
    if (this.current) {
      metadata.set('x-moat-node-id', this.current.nodeId);
      metadata.set('x-moat-node-secret', this.current.nodeSecret);
    }
    return metadata;
  }

  /** Called by a loop whose call failed: re-enrols when the CSM rejected our credentials. */
  callFailed(err: ServiceError): void {
    if (err.code === status.UNAUTHENTICATED && this.options.enrolToken && !this.enrolling) {
      this.log.warn(`the CSM does not accept node id ${this.current?.nodeId}: ${err.details}; enrolling again`);
      void this.options.identityFile.clear().then(() => this.enrol());
    }
  }

  stop(): void {
    this.stopped = true;
    for (const loop of this.loops) loop.stop();
    this.currentClient.close();
  }

  /** Server-verified TLS with IDENTITY's client certificate when it has one; plaintext with MOAT_CSM_TLS=off. */
  private nodeCredentials(identity: NodeIdentity | undefined): ChannelCredentials {
    const tls = this.options.tls;
    if (!tls) return credentials.createInsecure();
    if (!identity?.key || !identity.certificate) return credentials.createSsl(tls.ca);
    return credentials.createSsl(tls.ca, Buffer.from(identity.key), Buffer.from(identity.certificate));
  }

  private enrol(): Promise<void> {
    this.enrolling ??= this.enrolUntilDone().finally(() => (this.enrolling = undefined));
    return this.enrolling;
  }

  private async enrolUntilDone(): Promise<void> {
    const backoff = new Backoff();
    let reported = false;
    const enrolClient = new NodeServiceClient(this.options.enrolAddress, this.nodeCredentials(undefined));
    try {
      while (!this.stopped) {
        try {
          // A new key at each enrolment: it never leaves the node; the CSM signs its request.
          const keyAndCsr = this.options.tls ? await generateKeyAndCsr('moat-node', 'ecdsa') : undefined;
          const response = await new Promise<{ nodeId: string; nodeSecret: string; certificate: string }>((resolve, reject) =>
            enrolClient.enrol(
              { token: this.options.enrolToken ?? '', nodeName: this.options.nodeName, smtpAddress: this.options.smtpAddress, softwareVersion: SOFTWARE_VERSION, csr: keyAndCsr?.csr ?? '' },
              (err, res) => (err ? reject(err) : resolve(res)),
            ),
          );
          if (keyAndCsr && !response.certificate) throw new Error('the CSM sent no client certificate');
          const identity: NodeIdentity = { nodeId: response.nodeId, nodeSecret: response.nodeSecret, ...(keyAndCsr ? { key: keyAndCsr.key, certificate: response.certificate } : {}) };
          await this.options.identityFile.save(identity);
          this.current = identity;
          const previous = this.currentClient;
          this.currentClient = new NodeServiceClient(this.options.address, this.nodeCredentials(identity), CHANNEL_OPTIONS);
          previous.close();
          this.log.info(`enrolled with the CSM at ${this.options.enrolAddress} as node ${identity.nodeId}${keyAndCsr ? ' (client certificate kept in identity.json)' : ''}`);
          this.announce(identity);
          return;
        } catch (err) {
          if (!reported) this.log.warn(`enrolment with the CSM at ${this.options.enrolAddress} failed, retrying: ${errorText(err)}`);
          reported = true;
          await new Promise((resolve) => setTimeout(resolve, backoff.next()));
        }
      }
    } finally {
      enrolClient.close();
    }
  }

  private announce(identity: NodeIdentity): void {
    for (const listener of this.identityListeners) listener(identity);
  }
}
