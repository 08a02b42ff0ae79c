import { Injectable } from '@nestjs/common';
import { nextHold } from '@moat/policy';
import { errorMessage, NotFoundError, UnavailableError } from '../util/errors.js';
import { AuditService } from './audit.service.js';
import { ControlService } from './control.service.js';
import { FleetService } from './fleet.service.js';
import { PolicyService } from './policy.service.js';
import { scopedTenant } from '../util/tenant-scope.js';

export interface HeldQueueOnNode {
  nodeId: string;
  nodeName: string;
  up: boolean;
  messages: number;
  bytes: number;
  oldestReceivedAtMs: number;
  releaseAtMs: number;
}

export interface HeldDomainView {
  domain: string;
  /** Held messages and their bytes, summed over the nodes. */
  messages: number;
  bytes: number;
  /** The oldest held message's receipt time over the nodes; 0 when none is held. */
  oldestReceivedAtMs: number;
  /** When the open window ends (the latest the nodes report); 0 when no window is open. */
  releaseAtMs: number;
  /** The start of the next window by the CSM's clock; 0 when there is none. */
  nextHoldAtMs: number;
  nodes: HeldQueueOnNode[];
}

export interface HoldReleaseResult {
  domain: string;
  nodes: Array<{ nodeId: string; ok: boolean; detail: string }>;
}

/** Delivery hold windows (F9): the held queues the nodes report, and an administrator's release of a domain. */
@Injectable()
export class HoldsService {
  constructor(
    private readonly fleet: FleetService,
    private readonly control: ControlService,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
  ) {}

  /** Every domain with hold windows in the policy or held mail on a node, with its queue summed across nodes. */
  async list(now = Date.now()): Promise<HeldDomainView[]> {
    const { policy } = await this.policy.scoped().get();
    // A tenant's call (F18) sees its own domains' holds only.
    const seen = scopedTenant() === undefined ? undefined : new Set(policy.domains.map((d) => d.name));
    const views = new Map<string, HeldDomainView>();
    const view = (domain: string) => {
      let v = views.get(domain);
      if (!v) {
        const holds = policy.domains.find((d) => d.name === domain)?.holds ?? [];
        v = { domain, messages: 0, bytes: 0, oldestReceivedAtMs: 0, releaseAtMs: 0, nextHoldAtMs: nextHold(holds, now)?.startMs ?? 0, nodes: [] };
        views.set(domain, v);
      }
      return v;
    };
    for (const d of policy.domains) if (d.holds.length > 0) view(d.name);
    for (const node of this.fleet.heldQueues(now)) {
      for (const h of node.held) {
        if (seen && !seen.has(h.domain)) continue;
        const v = view(h.domain);
        v.messages += h.messages;
        v.bytes += h.bytes;
        if (h.oldestReceivedAtMs > 0 && (v.oldestReceivedAtMs === 0 || h.oldestReceivedAtMs < v.oldestReceivedAtMs)) v.oldestReceivedAtMs = h.oldestReceivedAtMs;
        v.releaseAtMs = Math.max(v.releaseAtMs, h.releaseAtMs);
        v.nodes.push({ nodeId: node.id, nodeName: node.name, up: node.up, messages: h.messages, bytes: h.bytes, oldestReceivedAtMs: h.oldestReceivedAtMs, releaseAtMs: h.releaseAtMs });
      }
    }
    return [...views.values()].sort((a, b) => a.domain.localeCompare(b.domain));
  }

  /** Ends DOMAIN's open window on every connected node, which delivers its held mail now; audited `holds.release`. */
  async release(domainParam: string, admin: string): Promise<HoldReleaseResult> {
    const domain = domainParam.trim().toLowerCase();
    const { policy } = await (await this.policy.ownerOf(domain)).get();
    if (!policy.domains.some((d) => d.name === domain)) throw new NotFoundError(`${domainParam.slice(0, 253)} is not a domain of the policy`);
    const nodeIds = this.control.connectedNodes();
    if (nodeIds.length === 0) throw new UnavailableError('no scan node is connected to the CSM to release the held mail');
    const nodes = await Promise.all(
      nodeIds.map(async (nodeId) => {
        const reply = await this.control.releaseHold(nodeId, domain).catch((err: unknown) => ({ ok: false, error: errorMessage(err), detail: '' }));
        return { nodeId, ok: reply.ok, detail: reply.ok ? reply.detail : reply.error };
      }),
    );
    const failed = nodes.filter((n) => !n.ok);
    await this.audit.recordQuietly({ admin, action: 'holds.release', target: domain, detail: `${nodes.length - failed.length} of ${nodes.length} node(s) released${failed.map((f) => `; ${f.nodeId}: ${f.detail}`).join('')}`, ok: failed.length === 0 });
    return { domain, nodes };
  }
}
