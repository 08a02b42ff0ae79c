import { Injectable } from '@nestjs/common';
import { EventStoreRepository, type Stats } from '../repositories/event-store.repository.js';
import { NatsRepository, type Health } from '../repositories/nats.repository.js';
import { InvalidInputError } from '../util/errors.js';
import { FleetService, type NodeStatus } from './fleet.service.js';
import { PolicyService } from './policy.service.js';

export interface CsmStatus {
  policyVersion: number;
  nats: Health;
  clickhouse: Health;
  nodes: NodeStatus[];
}

/** The fleet overview (`GET /api/status`, `moat status`) and message statistics. */
@Injectable()
export class StatusService {
  constructor(
    private readonly nats: NatsRepository,
    private readonly store: EventStoreRepository,
    private readonly fleet: FleetService,
    private readonly policy: PolicyService,
  ) {}

  async status(): Promise<CsmStatus> {
    return { policyVersion: this.policy.currentVersion(), nats: this.nats.health(), clickhouse: await this.store.health(), nodes: this.fleet.list() };
  }

  /** Counts by direction and action, in total and per UTC day; all time when no range is given. */
  async stats(fromMs = 0, toMs = Date.now() + 24 * 3600 * 1000): Promise<Stats> {
    if (fromMs >= toMs) throw new InvalidInputError('from must be before to');
    return this.store.stats({ fromMs, toMs });
  }
}
