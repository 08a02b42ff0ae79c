import { accountBlocked, accountSignsKey, emptyAccountSigns, parseAccountSigns, type AccountSigns, type CompromiseSign } from '@moat/bus';
import { FleetStateUnavailable, type FleetState } from '@moat/fleet-state';
import type { CompromisePolicy } from '@moat/policy';
import type { ScanContext } from '../check.js';
import type { CompiledPolicy } from '../compile-policy.js';
import { failureText } from '../stage1/exempt.js';

const CAS_ATTEMPTS = 8;
const HOUR_MS = 3_600_000;

/** The symbols of the compromised-account signs: a sign that tripped now, and mail of an account already throttled or held. */
export const SIGN_SYMBOLS: Record<CompromiseSign, string> = { volume: 'COMPROMISE_VOLUME', 'new-domains': 'COMPROMISE_NEW_DOMAINS', 'spam-score': 'COMPROMISE_SPAM_SCORE' };
export const THROTTLED = 'COMPROMISE_THROTTLED';
export const HELD = 'COMPROMISE_HELD';
export const UNAVAILABLE = 'COMPROMISE_UNAVAILABLE';

const THROTTLE_REPLY = (address: string) => ({ code: 451, message: `4.7.1 account ${address} is throttled after unusual sending, try again later` });

/** Whether the policy watches accounts at all, and sign SIGN in particular. */
export function signEnabled(policy: CompiledPolicy, sign?: CompromiseSign): boolean {
  const settings = policy.outbound.settings.compromise;
  if (!settings.enabled) return false;
  if (sign === 'volume') return settings.volume.enabled;
  if (sign === 'new-domains') return settings.newDomains.enabled;
  if (sign === 'spam-score') return settings.spamScore.enabled;
  return true;
}

/** The account the signs watch: the authenticated user only (the tenant's own servers relaying are not an account). */
export function watchedAccount(ctx: ScanContext): { address: string; fleet: FleetState } | undefined {
  const address = ctx.envelope.authenticatedUser;
  const fleet = ctx.options.fleetState;
  return address && fleet ? { address, fleet } : undefined;
}

/** The account's record as stored now (a fresh one when it has none). */
export async function readSigns(fleet: FleetState, address: string): Promise<AccountSigns> {
  const record = await fleet.accounts.get(accountSignsKey(address));
  return (record ? parseAccountSigns(record.value) : undefined) ?? emptyAccountSigns(address);
}

/** Writes of one account on this node run one after the other: at once they would only lose each other's compare-and-set. */
const queues = new WeakMap<FleetState, Map<string, Promise<unknown>>>();

/**
 * Writes NEXT(the stored record) with compare-and-set (other nodes write the same account at once) and gives what
 * was written; NEXT gives undefined when there is nothing to write (then the stored record is given).
 */
export function changeSigns(fleet: FleetState, address: string, next: (old: AccountSigns) => AccountSigns | undefined): Promise<AccountSigns> {
  let pending = queues.get(fleet);
  if (!pending) queues.set(fleet, (pending = new Map()));
  const mine = (pending.get(address) ?? Promise.resolve()).then(() => casChange(fleet, address, next));
  const settled = mine.catch(() => undefined);
  pending.set(address, settled);
  void settled.then(() => {
    if (pending.get(address) === settled) pending.delete(address);
  });
  return mine;
}

async function casChange(fleet: FleetState, address: string, next: (old: AccountSigns) => AccountSigns | undefined): Promise<AccountSigns> {
  const key = accountSignsKey(address);
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const record = await fleet.accounts.get(key);
    const old = (record ? parseAccountSigns(record.value) : undefined) ?? emptyAccountSigns(address);
    const value = next(old);
    if (!value) return old;
    const text = JSON.stringify(value);
    if (record ? await fleet.accounts.update(key, text, record.revision) : await fleet.accounts.create(key, text)) return value;
  }
  throw new FleetStateUnavailable(`the signs of ${address} kept changing under ${CAS_ATTEMPTS} attempts`);
}

/** Folds the completed hours since SIGNS.hour into the usual rate and counts one more message in the current hour. */
export function countMessage(signs: AccountSigns, now: number, baselineHours: number): AccountSigns {
  const hour = Math.floor(now / HOUR_MS);
  if (signs.hour === hour) return { ...signs, hourCount: signs.hourCount + 1 };
  const weight = 1 / baselineHours;
  // The first hour ever counted starts the baseline; each hour after it (empty ones too) weighs in.
  const gap = signs.hour === 0 ? 0 : Math.min(hour - signs.hour - 1, 100_000);
  const folded = signs.hour === 0 ? 0 : ((1 - weight) * signs.baseline + weight * signs.hourCount) * (1 - weight) ** gap;
  return { ...signs, baseline: folded, hour, hourCount: 1 };
}

/** Fleet-wide counter key of a sign for the account in its current epoch (a clearing starts a new one). */
export function signCounterKey(sign: CompromiseSign, signs: AccountSigns): string {
  return `compromise ${sign} ${signs.address} epoch ${signs.epoch}`;
}

/**
 * Applies to the message what the account's state says: a throttled account's mail is refused 451 4.7.1
 * (COMPROMISE_THROTTLED), a held account's mail is held for approval (COMPROMISE_HELD).
 */
export function applyBlock(ctx: ScanContext, signs: AccountSigns, now: number): void {
  const blocked = accountBlocked(signs, now);
  if (blocked === 'throttle') {
    ctx.results.add(THROTTLED, 0, `${signs.address}: throttled until ${new Date(signs.untilMs).toISOString()} (${signs.sign}: ${signs.detail})`);
    ctx.results.tempfail(THROTTLE_REPLY(signs.address));
  } else if (blocked === 'hold') {
    ctx.results.add(HELD, 0, `${signs.address}: held for approval since ${new Date(signs.sinceMs).toISOString()} (${signs.sign}: ${signs.detail})`);
    ctx.results.setAction('hold');
  }
}

/**
 * Trips SIGN on the account with FINDING: throttles or holds it fleet-wide as the policy says, unless another
 * node already did. The node that trips it records the sign's symbol (the alert: security log, SIEM, mail to
 * `alertAddress`); every node applies the state to the message.
 */
export async function tripSign(ctx: ScanContext, fleet: FleetState, address: string, sign: CompromiseSign, finding: string): Promise<void> {
  const settings = ctx.policy.outbound.settings.compromise;
  const action = signAction(settings, sign);
  const now = Date.now();
  let tripped = false;
  const signs = await changeSigns(fleet, address, (old) => {
    if (accountBlocked(old, now)) return undefined;
    tripped = true;
    return { ...old, state: action, sign, detail: finding, sinceMs: now, untilMs: action === 'throttle' ? now + settings.throttleMinutes * 60_000 : 0, trips: old.trips + 1 };
  });
  if (tripped) ctx.results.add(SIGN_SYMBOLS[sign], 0, `${address}: ${finding}; ${action === 'throttle' ? `throttled for ${settings.throttleMinutes} min` : 'held for approval until cleared'}`);
  applyBlock(ctx, signs, now);
}

/** Runs BODY; a fleet state that cannot be reached lets the message pass with COMPROMISE_UNAVAILABLE. */
export async function failOpen(ctx: ScanContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(error instanceof FleetStateUnavailable)) throw error;
    ctx.results.add(UNAVAILABLE, 0, failureText(error));
  }
}

function signAction(settings: CompromisePolicy, sign: CompromiseSign): 'throttle' | 'hold' {
  if (sign === 'volume') return settings.volume.action;
  if (sign === 'new-domains') return settings.newDomains.action;
  return settings.spamScore.action;
}
