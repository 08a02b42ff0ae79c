import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Metadata, Server, ServerCredentials, status, type ServerErrorResponse, type ServerUnaryCall } from '@grpc/grpc-js';
import { NodeServiceService, type NodeServiceServer, type NodeToCsm } from '@moat/proto/grpc';
import { CsmConfig } from '../csm-config.js';
import { DEFAULT_TENANT } from '../repositories/config.repository.js';
import { CertificateService } from '../services/certificate.service.js';
import { ControlService } from '../services/control.service.js';
import { DkimService } from '../services/dkim.service.js';
import { FleetService } from '../services/fleet.service.js';
import { NodeCaService } from '../services/node-ca.service.js';
import { PolicyService } from '../services/policy.service.js';
import { SrsKeyService } from '../services/srs-key.service.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, PermissionDeniedError, UnauthenticatedError, UnavailableError } from '../util/errors.js';

export const NODE_ID_HEADER = 'x-moat-node-id';
export const NODE_SECRET_HEADER = 'x-moat-node-secret';

/** The ports NodeService listens on: the node port (client certificates required) and the enrolment port. */
export interface GrpcPorts {
  grpc: number;
  enrol: number;
}

/** A streaming call as far as revocation needs it: ending it with a status. */
interface OpenCall {
  emit(event: 'error', status: Partial<ServerErrorResponse>): boolean;
}

/**
 * NodeService (proto/moat/v1/node.proto) on @grpc/grpc-js directly, with ts-proto's grpc-js service definition.
 * Why not Nest's gRPC transport: it loads the .proto at run time with @grpc/proto-loader, whose objects
 * represent oneofs and 64-bit numbers differently from the ts-proto types in @moat/proto/nest, so the handler
 * types would not describe what arrives. The grpc-js definition serialises with the generated encoders, so the
 * types are exact; the handlers stay thin and call the same services the REST controllers use.
 */
@Injectable()
export class NodeGrpcServer implements OnApplicationShutdown {
  private readonly logger = new Logger('grpc');
  private readonly server = new Server({ 'grpc.keepalive_time_ms': 30_000, 'grpc.keepalive_permit_without_calls': 1 });
  /** Whether NodeService runs over TLS, so that every call but Enrol must come with a node CA client certificate. */
  private tls = false;
  /** Streams open per node, ended when the node is revoked. */
  private readonly openCalls = new Map<string, Set<OpenCall>>();

  constructor(
    private readonly config: CsmConfig,
    private readonly fleet: FleetService,
    private readonly policy: PolicyService,
    private readonly control: ControlService,
    private readonly dkim: DkimService,
    private readonly certificates: CertificateService,
    private readonly srs: SrsKeyService,
    private readonly nodeCa: NodeCaService,
  ) {
    this.server.addService(NodeServiceService, this.handlers());
    this.fleet.onRevoked((nodeId) => this.endCalls(nodeId));
  }

  /**
   * Binds MOAT_GRPC_HOST:MOAT_GRPC_PORT and MOAT_GRPC_HOST:MOAT_ENROL_PORT and returns the ports (useful with 0).
   * With CERTIFICATE (the HTTPS one) only TLS is served, so a plaintext client never gets through. The node port
   * requires a client certificate issued by the node CA (checked in the handshake; then, on every call, its CN must
   * be the node id the call claims and its serial the one issued at the node's last enrolment). The enrolment port
   * asks for no client certificate, so a new node can present its token and CSR; every other call fails there.
   * Without CERTIFICATE (MOAT_HTTP_TLS=off) both are plain TCP, as for HTTP, and nodes authenticate by secret only.
   */
  async listen(certificate: { key: string; cert: string } | undefined): Promise<GrpcPorts> {
    const host = this.config.grpcHost.includes(':') ? `[${this.config.grpcHost}]` : this.config.grpcHost;
    this.tls = certificate !== undefined;
    const pair = certificate && [{ private_key: Buffer.from(certificate.key), cert_chain: Buffer.from(certificate.cert) }];
    const nodeCredentials = pair ? ServerCredentials.createSsl(Buffer.from(await this.nodeCa.certificate()), pair, true) : ServerCredentials.createInsecure();
    const enrolCredentials = pair ? ServerCredentials.createSsl(null, pair, false) : ServerCredentials.createInsecure();
    const bind = (port: number, credentials: ServerCredentials) =>
      new Promise<number>((resolve, reject) => this.server.bindAsync(`${host}:${port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound))));
    return { grpc: await bind(this.config.grpcPort, nodeCredentials), enrol: await bind(this.config.enrolPort, enrolCredentials) };
  }

  onApplicationShutdown(): Promise<void> {
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private handlers(): NodeServiceServer {
    return {
      enrol: (call, callback) => {
        this.fleet.enrol(call.request).then(
          (response) => callback(null, response),
          (err: unknown) => callback(this.toStatus(err)),
        );
      },

      heartbeat: (call, callback) => {
        this.authenticate(call)
          .then((nodeId) => {
            if (call.request.nodeId && call.request.nodeId !== nodeId) throw new PermissionDeniedError('node_id differs from the authenticated node');
            this.fleet.heartbeat(nodeId, call.request);
            callback(null, { latestPolicyVersion: this.policy.currentVersion() });
          })
          .catch((err: unknown) => callback(this.toStatus(err)));
      },

      watchPolicy: (call) => {
        this.authenticate(call).then(
          (nodeId) => {
            this.track(nodeId, call);
            // Every tenant's policy (F18): the node routes each transaction to its tenant's.
            const have = new Map([[DEFAULT_TENANT, call.request.haveVersion], ...Object.entries(call.request.haveTenantVersions)]);
            const unsubscribe = this.policy.watchAll(have, (doc) => call.write(doc));
            call.on('cancelled', unsubscribe);
            call.on('close', unsubscribe);
            call.on('error', unsubscribe);
          },
          (err: unknown) => call.emit('error', this.toStatus(err)),
        );
      },

      watchSigningKeys: (call) => {
        this.authenticate(call).then(
          (nodeId) => {
            this.track(nodeId, call);
            // Sends are chained so that sets arrive in the order of the changes.
            let sending = Promise.resolve();
            const send = () => {
              sending = sending.then(async () => {
                const [keys, srsKey] = await Promise.all([this.dkim.activeKeys(), this.srs.key()]);
                if (!call.cancelled) call.write({ keys, srsKey });
              }).catch((err: unknown) => this.logger.error(`signing keys not sent: ${errorMessage(err)}`));
            };
            const unsubscribe = this.dkim.watch(send);
            send();
            call.on('cancelled', unsubscribe);
            call.on('close', unsubscribe);
            call.on('error', unsubscribe);
          },
          (err: unknown) => call.emit('error', this.toStatus(err)),
        );
      },

      watchCertificates: (call) => {
        this.authenticate(call).then(
          (nodeId) => {
            this.track(nodeId, call);
            const unsubscribe = this.certificates.watch((set) => call.write(set));
            call.on('cancelled', unsubscribe);
            call.on('close', unsubscribe);
            call.on('error', unsubscribe);
          },
          (err: unknown) => call.emit('error', this.toStatus(err)),
        );
      },

      control: (call) => {
        let detach: (() => void) | undefined;
        const close = () => {
          detach?.();
          detach = undefined;
        };
        const started = this.authenticate(call);
        started.then((nodeId) => this.track(nodeId, call), () => undefined);
        started.catch((err: unknown) => call.emit('error', this.toStatus(err)));
        call.on('data', (message: NodeToCsm) => {
          void started.then((nodeId) => {
            const kind = message.kind;
            if (kind?.$case === 'hello' && !detach) {
              if (kind.value.nodeId && kind.value.nodeId !== nodeId) return call.emit('error', this.toStatus(new PermissionDeniedError('hello node_id differs from the authenticated node')));
              detach = this.control.attach(nodeId, { send: (command) => call.write(command) });
            }
            if (kind?.$case === 'reply') this.control.onReply(nodeId, kind.value);
          }, () => undefined);
        });
        call.on('end', () => {
          close();
          call.end();
        });
        call.on('cancelled', close);
        call.on('close', close);
        call.on('error', close);
      },
    };
  }

  /**
   * The node id from verified x-moat-node-id / x-moat-node-secret metadata and, over TLS, the client certificate of
   * the connection: issued by the node CA (the handshake checked that), naming the node the call claims to be.
   */
  private async authenticate(call: Pick<ServerUnaryCall<unknown, unknown>, 'metadata' | 'getAuthContext'>): Promise<string> {
    const nodeId = metadataValue(call.metadata, NODE_ID_HEADER);
    let serial: string | undefined;
    if (this.tls) {
      const peer = call.getAuthContext().sslPeerCertificate;
      if (!peer) throw new UnauthenticatedError('a client certificate issued by the CSM is required: connect to the node port with the certificate from enrolment');
      if (peer.subject.CN !== nodeId) throw new PermissionDeniedError(`the client certificate is node ${String(peer.subject.CN)}'s, not ${nodeId}'s`);
      serial = peer.serialNumber;
    }
    await this.fleet.verify(nodeId, metadataValue(call.metadata, NODE_SECRET_HEADER), serial);
    return nodeId;
  }

  /** Keeps CALL among NODEID's open calls until it ends. */
  private track(nodeId: string, call: OpenCall & { on(event: 'close' | 'cancelled', listener: () => void): unknown }): void {
    const calls = this.openCalls.get(nodeId) ?? new Set<OpenCall>();
    this.openCalls.set(nodeId, calls);
    calls.add(call);
    const forget = () => {
      calls.delete(call);
      if (calls.size === 0 && this.openCalls.get(nodeId) === calls) this.openCalls.delete(nodeId);
    };
    call.on('close', forget);
    call.on('cancelled', forget);
  }

  /** Ends every open call of a revoked node with PERMISSION_DENIED. */
  private endCalls(nodeId: string): void {
    const calls = this.openCalls.get(nodeId);
    this.openCalls.delete(nodeId);
    for (const call of calls ?? []) call.emit('error', this.toStatus(new PermissionDeniedError(`node ${nodeId} was revoked`)));
  }

  private toStatus(err: unknown): Partial<ServerErrorResponse> {
    const code = grpcCode(err);
    if (code === status.INTERNAL) this.logger.error(`node call failed: ${errorMessage(err)}`);
    return { code, details: errorMessage(err), metadata: new Metadata() };
  }
}

function metadataValue(metadata: Metadata, key: string): string {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : '';
}

function grpcCode(err: unknown): status {
  if (err instanceof UnauthenticatedError) return status.UNAUTHENTICATED;
  if (err instanceof PermissionDeniedError) return status.PERMISSION_DENIED;
  if (err instanceof InvalidInputError) return status.INVALID_ARGUMENT;
  if (err instanceof NotFoundError) return status.NOT_FOUND;
  if (err instanceof ConflictError) return status.ALREADY_EXISTS;
  if (err instanceof UnavailableError) return status.UNAVAILABLE;
  return status.INTERNAL;
}
