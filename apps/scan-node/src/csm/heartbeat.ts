import type { ServiceError } from '@grpc/grpc-js';
import type { HeldDomain, NodeResources, ResolverInfo } from '@moat/proto/grpc';
import { errorText } from '../log.js';
import { SOFTWARE_VERSION } from '../version.js';
import type { CsmLink, CsmLoop } from './csm-link.js';

export interface HeartbeatFacts {
  smtpAddress: string;
  /** The node's Prometheus endpoint. */
  metricsUrl: string;
  startedAtMs: number;
  policyVersion(): number;
  /** Antivirus engine and signature versions by engine name. */
  engineVersions(): Record<string, string>;
  resources(): NodeResources;
  /** The DNS servers the checks ask (the policy's or the machine's) and the sender-authentication warning. */
  resolver(): ResolverInfo;
  /** Mail held by delivery hold windows, per domain. */
  held(): HeldDomain[];
}

const INTERVAL_MS = 5000;

/** Reports the node to the CSM every 5 s: addresses (SMTP, metrics), policy version, resources, engine versions, DNS resolver, held mail. */
export class Heartbeat implements CsmLoop {
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(private readonly facts: HeartbeatFacts) {}

  start(link: CsmLink): void {
    const beat = () => this.beat(link);
    beat();
    this.timer = setInterval(beat, INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(link: CsmLink): void {
    const nodeId = link.identity?.nodeId;
    if (!nodeId) return;
    link.client.heartbeat(
      {
        nodeId,
        smtpAddress: this.facts.smtpAddress,
        metricsUrl: this.facts.metricsUrl,
        policyVersion: this.facts.policyVersion(),
        resources: this.facts.resources(),
        softwareVersion: SOFTWARE_VERSION,
        engineVersions: this.facts.engineVersions(),
        startedAtMs: this.facts.startedAtMs,
        resolver: this.facts.resolver(),
        held: this.facts.held(),
      },
      link.metadata(),
      { deadline: Date.now() + INTERVAL_MS },
      (err: ServiceError | null) => {
        if (err) {
          if (!this.failing) link.log.warn(`heartbeat to the CSM failed: ${errorText(err)}`);
          this.failing = true;
          link.callFailed(err);
        } else {
          if (this.failing) link.log.info('heartbeat to the CSM is back');
          this.failing = false;
        }
      },
    );
  }
}
