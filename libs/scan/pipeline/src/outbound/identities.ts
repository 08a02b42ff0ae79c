import type { ScanContext } from '../check.js';

/**
 * The addresses the session's authenticated user may send as: the account itself and its aliases. Undefined
 * when no user authenticated (one of the tenant's own servers relaying), where the sender checks differ.
 */
export function senderIdentities(ctx: ScanContext): ReadonlySet<string> | undefined {
  const user = ctx.envelope.authenticatedUser;
  if (!user) return undefined;
  const account = ctx.policy.outbound.accounts.get(user);
  return new Set([user, ...(account?.aliases ?? [])]);
}

/** Who an outbound message is counted against: the authenticated user, else the envelope sender (relay from our servers). */
export function quotaSubjects(ctx: ScanContext): { user: string; domain: string } | undefined {
  const sender = ctx.transaction.sender?.ok ? ctx.transaction.sender.mailbox : undefined;
  const user = ctx.envelope.authenticatedUser ?? sender?.normalized;
  if (!user) return undefined;
  return { user, domain: sender?.domain ?? user.slice(user.lastIndexOf('@') + 1) };
}
