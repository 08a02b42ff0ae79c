import type { ForwardingPolicy, ForwardingRule, PolicyGroup } from '@moat/policy';

/** A rule whose recipients are a group's members, with the membership as a set. */
export interface GroupForwardingRule {
  rule: ForwardingRule;
  members: ReadonlySet<string>;
}

/**
 * The forwarding section prepared for the node: enabled rules by the recipient address or domain they match, and
 * those for a group (in policy order) with its members.
 */
export interface CompiledForwarding {
  settings: ForwardingPolicy;
  byAddress: ReadonlyMap<string, readonly ForwardingRule[]>;
  byDomain: ReadonlyMap<string, readonly ForwardingRule[]>;
  byGroup: readonly GroupForwardingRule[];
}

/** SETTINGS' enabled rules compiled against the tenant's GROUPS (a validated policy names only groups it has). */
export function compileForwarding(settings: ForwardingPolicy, groups: readonly PolicyGroup[]): CompiledForwarding {
  const byAddress = new Map<string, ForwardingRule[]>();
  const byDomain = new Map<string, ForwardingRule[]>();
  const byGroup: GroupForwardingRule[] = [];
  const listed = new Map(groups.map((g) => [g.name, g.members]));
  const membership = new Map<string, ReadonlySet<string>>();
  for (const rule of settings.rules) {
    if (!rule.enabled) continue;
    const recipients = rule.recipients;
    if (recipients.kind === 'group') {
      let members = membership.get(recipients.group);
      if (!members) {
        members = new Set(listed.get(recipients.group));
        membership.set(recipients.group, members);
      }
      byGroup.push({ rule, members });
      continue;
    }
    const [map, key] = recipients.kind === 'address' ? [byAddress, recipients.address] : [byDomain, recipients.domain];
    map.set(key, [...(map.get(key) ?? []), rule]);
  }
  return { settings, byAddress, byDomain, byGroup };
}

/**
 * The rules that apply to a message from MAIL_FROM for RCPT, in policy order within each kind (address rules
 * first, then group rules, then domain rules). Addresses compare in lower case; the null sender matches only `all`.
 */
export function forwardingRulesFor(compiled: CompiledForwarding, mailFrom: string, rcpt: string): ForwardingRule[] {
  if (compiled.byAddress.size === 0 && compiled.byDomain.size === 0 && compiled.byGroup.length === 0) return [];
  const recipient = rcpt.toLowerCase();
  const domain = recipient.slice(recipient.lastIndexOf('@') + 1);
  const sender = mailFrom.toLowerCase();
  const senderDomain = sender.includes('@') ? sender.slice(sender.lastIndexOf('@') + 1) : '';
  const candidates = [
    ...(compiled.byAddress.get(recipient) ?? []),
    ...compiled.byGroup.filter((g) => g.members.has(recipient)).map((g) => g.rule),
    ...(compiled.byDomain.get(domain) ?? []),
  ];
  return candidates.filter((rule) => {
    switch (rule.senders.kind) {
      case 'all':
        return true;
      case 'address':
        return rule.senders.address === sender;
      case 'domain':
        return rule.senders.domain === senderDomain;
    }
  });
}
