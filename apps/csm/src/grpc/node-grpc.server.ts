import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Metadata, Server, ServerCredentials, status, type ServerErrorResponse } from '@grpc/grpc-js';
import { NodeServiceService, type NodeServiceServer, type NodeToCsm } from '@moat/proto/grpc';
import { CsmConfig } from '../csm-config.js';
import { CertificateService } from '../services/certificate.service.js';
import { ControlService } from '../services/control.service.js';
import { DkimService } from '../services/dkim.service.js';
import { FleetService } from '../services/fleet.service.js';
import { PolicyService } from '../services/policy.service.js';
import { SrsKeyService } from '../services/srs-key.service.js';
import { ConflictError, errorMessage, InvalidInputError, NotFoundError, PermissionDeniedError, UnauthenticatedError, UnavailableError } from '../util/errors.js';

export const NODE_ID_HEADER = 'x-moat-node-id';
export const NODE_SECRET_HEADER = 'x-moat-node-secret';

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

  constructor(
    private readonly config: CsmConfig,
    private readonly fleet: FleetService,
    private readonly policy: PolicyService,
    private readonly control: ControlService,
    private readonly dkim: DkimService,
    private readonly certificates: CertificateService,
    private readonly srs: SrsKeyService,
  ) {
    this.server.addService(NodeServiceService, this.handlers());
  }

  /**
   * Binds MOAT_GRPC_HOST:MOAT_GRPC_PORT and returns the port (useful with port 0). With CERTIFICATE (the HTTPS one)
   * only TLS is served, so a plaintext client never gets through; nodes verify it (MOAT_CSM_CA) and authenticate
   * with their id and secret inside the TLS session. Without it (MOAT_HTTP_TLS=off) plain TCP, as for HTTP.
   */
  listen(certificate: { key: string; cert: string } | undefined): Promise<number> {
    const address = `${this.config.grpcHost.includes(':') ? `[${this.config.grpcHost}]` : this.config.grpcHost}:${this.config.grpcPort}`;
    const credentials = certificate
      ? ServerCredentials.createSsl(null, [{ private_key: Buffer.from(certificate.key), cert_chain: Buffer.from(certificate.cert) }], false)
      : ServerCredentials.createInsecure();
    return new Promise((resolve, reject) => this.server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))));
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
          () => {
            const unsubscribe = this.policy.watch(call.request.haveVersion, (doc) => call.write(doc));
            call.on('cancelled', unsubscribe);
            call.on('close', unsubscribe);
            call.on('error', unsubscribe);
          },
          (err: unknown) => call.emit('error', this.toStatus(err)),
        );
      },

      watchSigningKeys: (call) => {
        this.authenticate(call).then(
          () => {
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
          () => {
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

  /** The node id from verified x-moat-node-id / x-moat-node-secret metadata. */
  private async authenticate(call: { metadata: Metadata }): Promise<string> {
    const nodeId = metadataValue(call.metadata, NODE_ID_HEADER);
    await this.fleet.verify(nodeId, metadataValue(call.metadata, NODE_SECRET_HEADER));
    return nodeId;
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
