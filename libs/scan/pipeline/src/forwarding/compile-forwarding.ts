import type { ForwardingPolicy, ForwardingRule } from '@moat/policy';

/** The forwarding section prepared for the node: enabled rules by the recipient address or domain they match. */
export interface CompiledForwarding {
  settings: ForwardingPolicy;
  byAddress: ReadonlyMap<string, readonly ForwardingRule[]>;
  byDomain: ReadonlyMap<string, readonly ForwardingRule[]>;
}

export function compileForwarding(settings: ForwardingPolicy): CompiledForwarding {
  const byAddress = new Map<string, ForwardingRule[]>();
  const byDomain = new Map<string, ForwardingRule[]>();
  for (const rule of settings.rules) {
    if (!rule.enabled) continue;
    const [map, key] = rule.recipients.kind === 'address' ? [byAddress, rule.recipients.address] : [byDomain, rule.recipients.domain];
    map.set(key, [...(map.get(key) ?? []), rule]);
  }
  return { settings, byAddress, byDomain };
}

/**
 * The rules that apply to a message from MAIL_FROM for RCPT, in policy order within each kind (address rules
 * first, then domain rules). Addresses compare in lower case; the null sender matches only `all`.
 */
export function forwardingRulesFor(compiled: CompiledForwarding, mailFrom: string, rcpt: string): ForwardingRule[] {
  if (compiled.byAddress.size === 0 && compiled.byDomain.size === 0) return [];
  const recipient = rcpt.toLowerCase();
  const domain = recipient.slice(recipient.lastIndexOf('@') + 1);
  const sender = mailFrom.toLowerCase();
  const senderDomain = sender.includes('@') ? sender.slice(sender.lastIndexOf('@') + 1) : '';
  const candidates = [...(compiled.byAddress.get(recipient) ?? []), ...(compiled.byDomain.get(domain) ?? [])];
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
