import type { Policy } from './schema.js';

/**
 * What the policy API shows in place of a stored password hash (`outbound.accounts[].passwordHash`): hashes are
 * secrets, so no reader of the policy (an auditor, a diff, an export) gets them. A document sent back with this
 * marker keeps the stored hash of that account.
 */
export const KEPT_SECRET = 'kept';

const SECRET_KEYS = new Set(['passwordHash']);

/** A deep copy of VALUE (JSON data) with every secret replaced by KEPT_SECRET. */
export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => redactSecrets(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = SECRET_KEYS.has(key) && item !== undefined ? KEPT_SECRET : redactSecrets(item);
  return copy as T;
}

/**
 * INPUT (a policy document as sent) with each account's KEPT_SECRET replaced by that account's hash in RUNNING;
 * an account RUNNING has no hash for loses the marker (it has no password). Anything else is left for validation.
 */
export function restoreSecrets(input: unknown, running: Policy): unknown {
  if (!isRecord(input) || !isRecord(input['outbound']) || !Array.isArray(input['outbound']['accounts'])) return input;
  const stored = new Map(running.outbound.accounts.map((account) => [account.address, account.passwordHash]));
  const accounts = input['outbound']['accounts'].map((account: unknown) => {
    if (!isRecord(account) || account['passwordHash'] !== KEPT_SECRET) return account;
    const { passwordHash: _marker, ...rest } = account;
    const hash = typeof account['address'] === 'string' ? stored.get(account['address'].toLowerCase()) : undefined;
    return hash ? { ...rest, passwordHash: hash } : rest;
  });
  return { ...input, outbound: { ...input['outbound'], accounts } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
