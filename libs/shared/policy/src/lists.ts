import type { Policy, PolicyLists } from './schema.js';
import { ipOrCidr, senderPattern } from './sections/fields.js';
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

/** Why VALUE cannot be an entry of a list of KIND (the schema's message), or undefined when it can. */
export function listEntryProblem(kind: ListKind, value: string): string | undefined {
  const field = kind.startsWith('ip-') ? ipOrCidr : senderPattern;
  const result = field.safeParse(value.trim().toLowerCase());
  return result.success ? undefined : (result.error.issues[0]?.message ?? 'invalid entry');
}

/**
 * Returns a new policy with VALUE added to or removed from a global list, or from one domain's list.
 * The result is validated, so a bad value fails with the schema's message.
 */
export function editList(policy: Policy, op: 'add' | 'remove', kind: ListKind, value: string, domain?: string): Policy {
  return editListEntries(policy, op, kind, [value], domain);
}

/** editList for several VALUES at once (one policy version for a pasted list); each is normalised as editList does. */
export function editListEntries(policy: Policy, op: 'add' | 'remove', kind: ListKind, values: readonly string[], domain?: string): Policy {
  const next = structuredClone(policy);
  const target = domain ? next.domains.find((d) => d.name === domain.toLowerCase())?.lists : next.lists;
  if (!target) throw new Error(`unknown domain ${domain}`);
  const field = LIST_KINDS[kind];
  const normalised = values.map((v) => v.trim().toLowerCase());
  const current = target[field];
  target[field] = op === 'add' ? [...new Set([...current, ...normalised])] : current.filter((v) => !normalised.includes(v));
  return parsePolicy(next);
}
