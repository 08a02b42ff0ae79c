import { storedFields } from './kv.js';

/** The signs that throttle or hold an account (policy `outbound.compromise`). */
export const COMPROMISE_SIGNS = ['volume', 'new-domains', 'spam-score'] as const;
export type CompromiseSign = (typeof COMPROMISE_SIGNS)[number];

/**
 * One authenticated account's compromised-account state (F6), shared by the fleet in the KV bucket
 * moat_account_signs: what nodes learn of its usual sending (the hourly baseline, the recipient domains it has
 * sent to) and the throttle or hold a sign put on it. Nodes write it with compare-and-set on every outbound
 * message; the CSM clears a throttle or hold. Counters of the signs are keyed by `epoch`, so a clearing (which
 * bumps it) also forgets the burst that tripped the sign.
 */
export interface AccountSigns {
  address: string;
  /** none; throttle: its mail is refused 451 4.7.1 until `untilMs`; hold: its mail is held for approval until cleared. */
  state: 'none' | 'throttle' | 'hold';
  /** The sign that set the state, and its finding ('' when none). */
  sign: CompromiseSign | '';
  detail: string;
  sinceMs: number;
  /** When a throttle ends (0 for a hold, which lasts until an administrator clears it). */
  untilMs: number;
  /** How many times a sign tripped on the account. */
  trips: number;
  epoch: number;
  /** Exponentially weighted messages per hour over the completed hours (the account's usual rate). */
  baseline: number;
  /** The hour (epoch ms / 3600000, floored) `hourCount` counts, and its messages so far. */
  hour: number;
  hourCount: number;
  /** Recipient domains the account has sent to, most recent last, at most `outbound.compromise.newDomains.remember`. */
  domains: string[];
}

/** The KV key of an account's record: `acct.` and the address in base64url (KV keys allow no `@` or `+`). */
export function accountSignsKey(address: string): string {
  return `acct.${Buffer.from(address.toLowerCase()).toString('base64url')}`;
}

/** A fresh record for ADDRESS. */
export function emptyAccountSigns(address: string): AccountSigns {
  return { address: address.toLowerCase(), state: 'none', sign: '', detail: '', sinceMs: 0, untilMs: 0, trips: 0, epoch: 0, baseline: 0, hour: 0, hourCount: 0, domains: [] };
}

/** Whether the account is throttled or held at NOW. */
export function accountBlocked(signs: AccountSigns, now: number): 'throttle' | 'hold' | undefined {
  if (signs.state === 'hold') return 'hold';
  if (signs.state === 'throttle' && signs.untilMs > now) return 'throttle';
  return undefined;
}

/** A stored record, or undefined when TEXT is not one (a damaged record counts as a fresh account). */
export function parseAccountSigns(text: string): AccountSigns | undefined {
  const fields = storedFields(text);
  if (!fields) return undefined;
  const { raw: v, num, str } = fields;
  const address = str('address');
  if (!address.includes('@')) return undefined;
  const state = v['state'] === 'throttle' || v['state'] === 'hold' ? v['state'] : 'none';
  const sign = COMPROMISE_SIGNS.find((s) => s === v['sign']) ?? '';
  const domains = Array.isArray(v['domains']) ? v['domains'].filter((d): d is string => typeof d === 'string') : [];
  return { address, state, sign, detail: str('detail'), sinceMs: num('sinceMs'), untilMs: num('untilMs'), trips: num('trips'), epoch: num('epoch'), baseline: num('baseline'), hour: num('hour'), hourCount: num('hourCount'), domains };
}

/** How nodes and the CSM open moat_account_signs (no TTL: a hold lasts until it is cleared). */
export const ACCOUNT_SIGNS_BUCKET_CONFIG = { history: 1, description: 'Moat compromised-account signs per authenticated account' } as const;
