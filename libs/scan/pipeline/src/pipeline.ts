import type { Check, StageCheck } from './check.js';
import type { CompiledPolicy } from './compile-policy.js';
import { ScanSession, type SessionEnvelope } from './session.js';
import type { Direction, ScanOptions, Stage } from './types.js';

/** The checks of each stage, in run order. */
export type StagePlan = { [S in Stage]: StageCheck<S>[] };

/**
 * The checks grouped by stage. Which checks a policy turns on is worked out once per policy version and
 * kept, so opening a session costs one map lookup.
 */
export class Pipeline {
  private readonly all: StagePlan = { connect: [], helo: [], mail: [], rcpt: [], data: [] };
  private readonly plans = { inbound: new WeakMap<CompiledPolicy, StagePlan>(), outbound: new WeakMap<CompiledPolicy, StagePlan>() };

  constructor(
    checks: readonly Check[],
    readonly options: ScanOptions = {},
  ) {
    for (const check of checks) {
      // A switch rather than an index keeps each check typed with its own stage's context.
      switch (check.stage) {
        case 'connect':
          this.all.connect.push(check);
          break;
        case 'helo':
          this.all.helo.push(check);
          break;
        case 'mail':
          this.all.mail.push(check);
          break;
        case 'rcpt':
          this.all.rcpt.push(check);
          break;
        case 'data':
          this.all.data.push(check);
          break;
      }
    }
  }

  session(policy: CompiledPolicy, envelope: SessionEnvelope): ScanSession {
    return new ScanSession(this.planFor(policy, envelope.direction ?? 'inbound'), policy, this.options, envelope);
  }

  private planFor(policy: CompiledPolicy, direction: Direction): StagePlan {
    let plan = this.plans[direction].get(policy);
    if (!plan) {
      plan = {
        connect: enabledFor(this.all.connect, policy, direction),
        helo: enabledFor(this.all.helo, policy, direction),
        mail: enabledFor(this.all.mail, policy, direction),
        rcpt: enabledFor(this.all.rcpt, policy, direction),
        data: enabledFor(this.all.data, policy, direction),
      };
      this.plans[direction].set(policy, plan);
    }
    return plan;
  }
}

function enabledFor<S extends Stage>(checks: StageCheck<S>[], policy: CompiledPolicy, direction: Direction): StageCheck<S>[] {
  return checks.filter((check) => (check.directions ?? INBOUND_ONLY).includes(direction) && (check.enabled?.(policy) ?? true));
}

const INBOUND_ONLY: readonly Direction[] = ['inbound'];
