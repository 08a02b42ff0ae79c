import type { Policy } from './schema.js';

/** One difference between two policy documents, at a path such as `thresholds.reject` or `domains[example.test].downstream.host`. */
export interface PolicyChange {
  path: string;
  op: 'add' | 'remove' | 'change';
  from?: unknown;
  to?: unknown;
}

/**
 * The path-level differences from BEFORE to AFTER (JSON values). Lists of objects with a `name` (domains) are
 * matched by name, so removing the first domain is one removal, not a change of every later one; other lists
 * are compared as a whole value.
 */
export function diffPolicies(before: unknown, after: unknown): PolicyChange[] {
  const changes: PolicyChange[] = [];
  walk(before, after, '', changes);
  return changes;
}

function walk(before: unknown, after: unknown, path: string, changes: PolicyChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const at = path ? `${path}.${key}` : key;
      if (!(key in after)) changes.push({ path: at, op: 'remove', from: before[key] });
      else if (!(key in before)) changes.push({ path: at, op: 'add', to: after[key] });
      else walk(before[key], after[key], at, changes);
    }
    return;
  }
  if (isNamedList(before) && isNamedList(after) && (before.length > 0 || after.length > 0)) {
    const old = new Map(before.map((item) => [item.name, item]));
    const next = new Map(after.map((item) => [item.name, item]));
    for (const [name, item] of old) if (!next.has(name)) changes.push({ path: `${path}[${name}]`, op: 'remove', from: item });
    for (const [name, item] of next) {
      const was = old.get(name);
      if (was === undefined) changes.push({ path: `${path}[${name}]`, op: 'add', to: item });
      else walk(was, item, `${path}[${name}]`, changes);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) changes.push({ path, op: 'change', from: before, to: after });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNamedList(value: unknown): value is ({ name: string } & Record<string, unknown>)[] {
  return Array.isArray(value) && value.every((item) => isRecord(item) && typeof item['name'] === 'string');
}

/** Addresses that cover every client: blocking one refuses all mail. */
const EVERYONE = new Set(['0.0.0.0/0', '::/0']);

/**
 * Changes from the running policy BEFORE to AFTER that stop mail, each as a sentence: no domains left, a domain
 * removed (its mail is refused and its downstream gone), a reject threshold not above the tag threshold or at
 * most 0, a block of every address. The CSM publishes such a document only when the administrator confirms.
 */
export function mailStoppingChanges(before: Policy | undefined, after: Policy): string[] {
  const warnings: string[] = [];
  const had = before?.domains ?? [];
  if (had.length && !after.domains.length) warnings.push('no domains left: every message will be refused (relaying denied)');
  else {
    const kept = new Set(after.domains.map((d) => d.name));
    for (const domain of had) {
      if (!kept.has(domain.name)) warnings.push(`domain ${domain.name} removed: its mail will be refused and its downstream ${domain.downstream.host}:${domain.downstream.port} no longer receives any`);
    }
  }
  const { tag, reject } = after.thresholds;
  const wasSafe = (t: Policy['thresholds'] | undefined) => !t || (t.reject > t.tag && t.reject > 0);
  if (reject <= tag && wasSafe(before?.thresholds)) warnings.push(`reject threshold ${reject} is not above the tag threshold ${tag}: every message that would be tagged is rejected`);
  if (reject <= 0 && wasSafe(before?.thresholds)) warnings.push(`reject threshold ${reject} is at most 0: messages that score nothing are rejected`);
  for (const [where, lists] of [['global', after.lists] as const, ...after.domains.map((d) => [`domain ${d.name}`, d.lists] as const)]) {
    const everyone = lists.ipBlock.filter((entry) => EVERYONE.has(entry));
    const blockedBefore = where === 'global' ? before?.lists.ipBlock : before?.domains.find((d) => `domain ${d.name}` === where)?.lists.ipBlock;
    for (const entry of everyone) if (!blockedBefore?.includes(entry)) warnings.push(`${where} IP block list has ${entry}: every client is refused`);
  }
  return warnings;
}
