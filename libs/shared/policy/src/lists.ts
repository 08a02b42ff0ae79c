import type { Policy, PolicyLists } from './schema.js';
import { parsePolicy } from './validate.js';

/** The list kinds that `moat list` and the API edit, mapped to the policy's list fields. */
export const LIST_KINDS = {
  'ip-block': 'ipBlock',
  'ip-allow': 'ipAllow',
  'sender-block': 'senderBlock',
  'sender-allow': 'senderAllow',
} as const satisfies Record<string, keyof PolicyLists>;

export type ListKind = keyof typeof LIST_KINDS;

export function isListKind(kind: string): kind is ListKind {
  return Object.hasOwn(LIST_KINDS, kind);
}

/**
 * Returns a new policy with VALUE added to or removed from a global list, or from one domain's list.
 * The result is validated, so a bad value fails with the schema's message.
 */
export function editList(policy: Policy, op: 'add' | 'remove', kind: ListKind, value: string, domain?: string): Policy {
  const next = structuredClone(policy);
  const target = domain ? next.domains.find((d) => d.name === domain.toLowerCase())?.lists : next.lists;
  if (!target) throw new Error(`unknown domain ${domain}`);
  const field = LIST_KINDS[kind];
  const normalised = value.trim().toLowerCase();
  const current = target[field];
  target[field] = op === 'add' ? (current.includes(normalised) ? current : [...current, normalised]) : current.filter((v) => v !== normalised);
  return parsePolicy(next);
}
