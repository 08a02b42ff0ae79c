import { Metadata, status, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import { NodeServiceClient } from '@moat/proto/grpc';
import { errorText, type Logger } from '../log.js';
import { SOFTWARE_VERSION } from '../version.js';
import { Backoff } from './backoff.js';
import type { IdentityFile, NodeIdentity } from './identity.js';

export interface CsmLinkOptions {
  address: string;
  /** TLS verifying the CSM's certificate (plaintext only when MOAT_CSM_TLS=off). */
  credentials: ChannelCredentials;
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

/**
 * The node's gRPC client to the CSM: enrols once with MOAT_ENROL_TOKEN (identity kept in the data dir), then runs
 * its loops with the identity as call metadata. Nothing here blocks mail: while the CSM is away the node runs
 * on its persisted policy and the loops retry with back-off. If the CSM no longer knows the node
 * (UNAUTHENTICATED) and a token is configured, the node enrols again.
 */
export class CsmLink {
  readonly client: NodeServiceClient;
  private current: NodeIdentity | undefined;
  private stopped = false;
  private enrolling: Promise<void> | undefined;
  private readonly identityListeners: Array<(identity: NodeIdentity) => void> = [];

  constructor(
    private readonly options: CsmLinkOptions,
    private readonly loops: readonly CsmLoop[],
  ) {
    this.current = options.identity;
    this.client = new NodeServiceClient(options.address, options.credentials, {
      'grpc.keepalive_time_ms': 20_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
    });
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
      throw new Error('MOAT_ENROL_TOKEN is required for the first start of a node (no identity.json in its data dir yet)');
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
      this.log.warn(`the CSM does not accept node id ${this.current?.nodeId}; enrolling again`);
      void this.options.identityFile.clear().then(() => this.enrol());
    }
  }

  stop(): void {
    this.stopped = true;
    for (const loop of this.loops) loop.stop();
    this.client.close();
  }

  private enrol(): Promise<void> {
    this.enrolling ??= this.enrolUntilDone().finally(() => (this.enrolling = undefined));
    return this.enrolling;
  }

  private async enrolUntilDone(): Promise<void> {
    const backoff = new Backoff();
    let reported = false;
    while (!this.stopped) {
      try {
        const response = await new Promise<{ nodeId: string; nodeSecret: string }>((resolve, reject) =>
          this.client.enrol(
            { token: this.options.enrolToken ?? '', nodeName: this.options.nodeName, smtpAddress: this.options.smtpAddress, softwareVersion: SOFTWARE_VERSION },
            (err, res) => (err ? reject(err) : resolve(res)),
          ),
        );
        const identity = { nodeId: response.nodeId, nodeSecret: response.nodeSecret };
        await this.options.identityFile.save(identity);
        this.current = identity;
        this.log.info(`enrolled with the CSM at ${this.options.address} as node ${identity.nodeId}`);
        this.announce(identity);
        return;
      } catch (err) {
        if (!reported) this.log.warn(`enrolment with the CSM at ${this.options.address} failed, retrying: ${errorText(err)}`);
        reported = true;
        await new Promise((resolve) => setTimeout(resolve, backoff.next()));
      }
    }
  }

  private announce(identity: NodeIdentity): void {
    for (const listener of this.identityListeners) listener(identity);
  }
}
