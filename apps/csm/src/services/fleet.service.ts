import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NodeExport } from '@moat/bus';
import type { EnrolRequest, EnrolResponse, HeartbeatRequest, HeldDomain, NodeResources, ResolverInfo } from '@moat/proto/grpc';
import { randomUUID } from 'node:crypto';
import { CsmConfig } from '../csm-config.js';
import { ConfigRepository, type NodeRecord } from '../repositories/config.repository.js';
import { errorMessage, InvalidInputError, NotFoundError, PermissionDeniedError, UnauthenticatedError } from '../util/errors.js';
import { retryUntilDone } from '../util/retry.js';
import { hashMachineSecret, randomSecret, safeEqual } from '../util/secrets.js';
import { AuditService } from './audit.service.js';
import { ExportLogService } from './export-log.service.js';
import { NodeCaService } from './node-ca.service.js';

/** A node counts as up while its last heartbeat is at most this old (nodes beat every 5 s). */
export const NODE_UP_WITHIN_MS = 15_000;
/** How often nodes whose heartbeats stopped are looked for (a `node down` event). */
export const NODE_SWEEP_MS = 5_000;

const isUp = (node: NodeRecord, now: number) => node.lastHeartbeatMs > 0 && now - node.lastHeartbeatMs <= NODE_UP_WITHIN_MS;

export interface NodeStatus {
  id: string;
  name: string;
  smtpAddress: string;
  /** Where Prometheus scrapes the node; "" until it reported one. */
  metricsUrl: string;
  up: boolean;
  lastHeartbeatMs: number;
  policyVersion: number;
  softwareVersion: string;
  engineVersions: Record<string, string>;
  resources: NodeResources | undefined;
  /** The node's DNS servers (the policy's or the machine's) and its sender-authentication warning. */
  resolver: ResolverInfo | undefined;
  /** When an administrator revoked the node (its certificate is refused); 0 when not revoked. */
  revokedAtMs: number;
}

/**
 * The node registry: enrolment with the shared token, node credentials, and the state each heartbeat reports.
 * Heartbeats update memory at once and the config of record in the background, so a slow NATS never slows them.
 * A node's first heartbeat after silence and the sweep that finds it silent export `node up` / `node down`.
 */
@Injectable()
export class FleetService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('fleet');
  private readonly stopping = new AbortController();
  private readonly nodes = new Map<string, NodeRecord>();
  /** Nodes last exported (or loaded) as up: the sweep exports `down` for those whose heartbeats stopped. */
  private readonly announcedUp = new Set<string>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly revocationListeners: Array<(nodeId: string) => void> = [];

  constructor(
    private readonly config: ConfigRepository,
    private readonly audit: AuditService,
    private readonly csmConfig: CsmConfig,
    private readonly exportLog: ExportLogService,
    private readonly nodeCa: NodeCaService,
  ) {}

  onApplicationBootstrap(): void {
    void retryUntilDone('node registry load', () => this.load(), this.stopping.signal, this.logger);
    this.sweeper = setInterval(() => this.sweep(), NODE_SWEEP_MS);
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
    clearInterval(this.sweeper);
  }

  async load(): Promise<void> {
    const now = Date.now();
    for (const record of await this.config.listNodes()) {
      const known = this.nodes.get(record.id);
      if (!known || known.lastHeartbeatMs < record.lastHeartbeatMs) this.nodes.set(record.id, record);
      if (!known && isUp(record, now)) this.announcedUp.add(record.id);
    }
  }

  /** Exports `node down` for each node announced up whose last heartbeat is older than NODE_UP_WITHIN_MS. */
  sweep(now = Date.now()): void {
    for (const id of this.announcedUp) {
      const node = this.nodes.get(id);
      if (!node || isUp(node, now)) continue;
      this.announcedUp.delete(id);
      this.announce(node, 'down', now);
    }
  }

  /**
   * Issues credentials for a node presenting the enrolment token: a secret and, when gRPC runs over TLS, a client
   * certificate signed by the node CA from the node's request. A node enrolling again under its name keeps its id
   * and gets a new certificate (the previous one is no longer accepted); a revoked node may not enrol again.
   */
  async enrol(request: EnrolRequest): Promise<EnrolResponse> {
    const expected = this.csmConfig.enrolToken;
    if (!expected) throw new PermissionDeniedError('enrolment is disabled: MOAT_ENROL_TOKEN is not set on the CSM');
    if (!safeEqual(request.token, expected)) throw new PermissionDeniedError('wrong enrolment token');
    const name = request.nodeName.trim();
    if (!name) throw new InvalidInputError('node_name is required');
    const tls = this.csmConfig.httpTls !== undefined;
    if (tls && !request.csr) throw new InvalidInputError("csr is required: the CSM serves gRPC over TLS and signs the node's client certificate");
    await this.load();
    const existing = [...this.nodes.values()].find((n) => n.name === name);
    if (existing?.revokedAtMs) throw new PermissionDeniedError(`node ${name} (${existing.id}) was revoked; enrol it under another name`);
    const id = existing?.id ?? randomUUID();
    const issued = tls ? await this.nodeCa.issue(request.csr, id) : undefined;
    const secret = randomSecret();
    const record: NodeRecord = {
      id,
      name,
      secretHash: hashMachineSecret(secret),
      enrolledAtMs: Date.now(),
      smtpAddress: request.smtpAddress,
      softwareVersion: request.softwareVersion,
      policyVersion: existing?.policyVersion ?? 0,
      lastHeartbeatMs: existing?.lastHeartbeatMs ?? 0,
      startedAtMs: existing?.startedAtMs ?? 0,
      resources: existing?.resources,
      engineVersions: existing?.engineVersions ?? {},
      ...(existing?.resolver ? { resolver: existing.resolver } : {}),
      ...(issued ? { certificateSerial: issued.serial } : {}),
    };
    const detail = `${existing ? 're-enrolled, new secret' : 'enrolled'}${issued ? `, certificate ${issued.serial}` : ''}`;
    await this.audit.record({ admin: `node:${name}`, action: 'node.enrol', target: record.id, detail });
    await this.config.putNode(record);
    this.nodes.set(record.id, record);
    this.logger.log(`node ${name} enrolled as ${record.id}`);
    return { nodeId: record.id, nodeSecret: secret, certificate: issued?.certificate ?? '', caCertificate: tls ? await this.nodeCa.certificate() : '' };
  }

  /**
   * Checks a node's credentials (gRPC metadata) and, over TLS, the serial of the client certificate it presented:
   * only the one issued at its last enrolment, and none once the node is revoked. Throws UnauthenticatedError
   * (the node may enrol again) or PermissionDeniedError (revoked).
   */
  async verify(nodeId: string, secret: string, certificateSerial?: string): Promise<void> {
    if (!nodeId || !secret) throw new UnauthenticatedError('x-moat-node-id and x-moat-node-secret metadata are required');
    if (!this.nodes.has(nodeId)) await this.load();
    const record = this.nodes.get(nodeId);
    if (!record || !safeEqual(hashMachineSecret(secret), record.secretHash)) throw new UnauthenticatedError(`unknown node or wrong secret for ${nodeId}; enrol again`);
    if (record.revokedAtMs) throw new PermissionDeniedError(`node ${record.name} (${nodeId}) was revoked`);
    if (certificateSerial !== undefined && certificateSerial !== record.certificateSerial) {
      throw new UnauthenticatedError(`client certificate ${certificateSerial} is not the one issued to node ${nodeId} at its last enrolment; enrol again`);
    }
  }

  /** Revokes a node: its certificate and secret are refused from now on, its open calls end, it may not enrol again. */
  async revoke(nodeId: string, admin: string): Promise<NodeStatus> {
    await this.load();
    const known = this.nodes.get(nodeId);
    if (!known) throw new NotFoundError(`no node ${nodeId}`);
    const record: NodeRecord = { ...known, revokedAtMs: known.revokedAtMs || Date.now() };
    if (!known.revokedAtMs) {
      await this.audit.record({ admin, action: 'node.revoke', target: nodeId, detail: `${record.name}${record.certificateSerial ? `, certificate ${record.certificateSerial}` : ''}` });
      await this.config.putNode(record);
      this.nodes.set(nodeId, record);
      this.logger.log(`node ${record.name} (${nodeId}) revoked by ${admin}`);
    }
    for (const listener of this.revocationListeners) listener(nodeId);
    return this.statusOf(record, Date.now());
  }

  /** LISTENER is called with the id of each node revoked (the gRPC server ends its open calls). */
  onRevoked(listener: (nodeId: string) => void): void {
    this.revocationListeners.push(listener);
  }

  heartbeat(nodeId: string, request: HeartbeatRequest): void {
    const known = this.nodes.get(nodeId);
    if (!known) throw new UnauthenticatedError(`unknown node ${nodeId}`);
    const record: NodeRecord = {
      ...known,
      smtpAddress: request.smtpAddress || known.smtpAddress,
      metricsUrl: request.metricsUrl || known.metricsUrl,
      softwareVersion: request.softwareVersion || known.softwareVersion,
      policyVersion: request.policyVersion,
      resources: request.resources,
      engineVersions: request.engineVersions,
      ...(request.resolver ? { resolver: request.resolver } : {}),
      held: request.held,
      startedAtMs: request.startedAtMs,
      lastHeartbeatMs: Date.now(),
    };
    this.nodes.set(nodeId, record);
    if (!this.announcedUp.has(nodeId)) {
      this.announcedUp.add(nodeId);
      this.announce(record, 'up', record.lastHeartbeatMs);
    }
    this.config.putNode(record).catch((err: unknown) => this.logger.warn(`heartbeat of ${record.name} not stored in KV: ${errorMessage(err)}`));
  }

  private announce(node: NodeRecord, state: NodeExport['state'], atMs: number): void {
    const event: NodeExport = { id: `node:${randomUUID()}`, kind: 'node', atMs, nodeId: node.id, nodeName: node.name, state, smtpAddress: node.smtpAddress, lastHeartbeatMs: node.lastHeartbeatMs };
    this.logger.log(`node ${node.name} ${state}`);
    // Retried while ClickHouse is down (its id keeps a retry after a half-done insert from adding it twice).
    void retryUntilDone(`export of node ${node.name} ${state}`, () => this.exportLog.append([event]), this.stopping.signal, this.logger);
  }

  /** Each known node's held mail per domain (F9), as its last heartbeat reported it. */
  heldQueues(now = Date.now()): Array<{ id: string; name: string; up: boolean; held: HeldDomain[] }> {
    return [...this.nodes.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => ({ id: n.id, name: n.name, up: isUp(n, now), held: n.held ?? [] }));
  }

  list(now = Date.now()): NodeStatus[] {
    return [...this.nodes.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => this.statusOf(n, now));
  }

  private statusOf(n: NodeRecord, now: number): NodeStatus {
    return {
      id: n.id,
      name: n.name,
      smtpAddress: n.smtpAddress,
      metricsUrl: n.metricsUrl ?? '',
      up: isUp(n, now),
      lastHeartbeatMs: n.lastHeartbeatMs,
      policyVersion: n.policyVersion,
      softwareVersion: n.softwareVersion,
      engineVersions: n.engineVersions,
      resources: n.resources,
      resolver: n.resolver,
      revokedAtMs: n.revokedAtMs ?? 0,
    };
  }
}
