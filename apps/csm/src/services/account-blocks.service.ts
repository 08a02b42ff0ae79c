import { Injectable } from '@nestjs/common';
import { accountBlocked, type AccountSigns } from '@moat/bus';
import { AccountSignsRepository } from '../repositories/account-signs.repository.js';
import { InvalidInputError, NotFoundError } from '../util/errors.js';
import { scopedTenant } from '../util/tenant-scope.js';
import { AuditService } from './audit.service.js';
import { PolicyService } from './policy.service.js';

/** An account as the API shows it: what a compromised-account sign did to it (never its remembered domains). */
export interface AccountBlockView {
  address: string;
  /** throttle or hold while active; none once it ended or was cleared. */
  state: AccountSigns['state'];
  active: boolean;
  sign: AccountSigns['sign'];
  detail: string;
  sinceMs: number;
  untilMs: number;
  trips: number;
  /** The account's usual messages an hour, as the nodes weigh it. */
  baseline: number;
}

const ADDRESS = /^[^@\s<>]+@[a-z0-9.-]+$/i;

/**
 * Compromised-account signs (F6, policy outbound.compromise): the nodes throttle or hold an account whose sending
 * trips a sign; an administrator lists the accounts a sign ever tripped on and clears a throttle or hold (which
 * also starts the account's sign counters afresh). Clearing is audited `accounts.unblock`.
 */
@Injectable()
export class AccountBlocksService {
  constructor(
    private readonly accounts: AccountSignsRepository,
    private readonly audit: AuditService,
    private readonly policy: PolicyService,
  ) {}

  /** Accounts a sign tripped on, active throttles and holds first (latest first); a tenant's call (F18) sees its own domains' accounts. */
  async list(now = Date.now()): Promise<AccountBlockView[]> {
    const own = scopedTenant() === undefined ? undefined : new Set((await this.policy.scoped().get()).policy.domains.map((d) => d.name));
    const mine = (address: string) => own === undefined || own.has(address.slice(address.lastIndexOf('@') + 1));
    const views = (await this.accounts.list()).filter((s) => s.trips > 0 && mine(s.address)).map((s) => view(s, now));
    return views.sort((a, b) => Number(b.active) - Number(a.active) || b.sinceMs - a.sinceMs);
  }

  /** Ends ADDRESS's throttle or hold at once on every node; its sign counters start again from zero. */
  async unblock(addressParam: string, admin: string, now = Date.now()): Promise<AccountBlockView> {
    const address = addressParam.trim().toLowerCase();
    if (!ADDRESS.test(address) || address.length > 320) throw new InvalidInputError(`"${address.slice(0, 60)}" is not an address (local@domain)`);
    const cleared = await this.accounts.change(address, (old) => (accountBlocked(old, now) ? { ...old, state: 'none', untilMs: 0, epoch: old.epoch + 1 } : undefined));
    if (!cleared) throw new NotFoundError(`${address} is not throttled or held`);
    await this.audit.recordQuietly({ admin, action: 'accounts.unblock', target: address, detail: `was ${cleared.sign}: ${cleared.detail}`, ok: true });
    return view(cleared, now);
  }
}

function view(s: AccountSigns, now: number): AccountBlockView {
  return { address: s.address, state: s.state, active: accountBlocked(s, now) !== undefined, sign: s.sign, detail: s.detail, sinceMs: s.sinceMs, untilMs: s.untilMs, trips: s.trips, baseline: Math.round(s.baseline * 100) / 100 };
}
