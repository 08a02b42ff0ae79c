import { z } from 'zod';
import { domainName } from './fields.js';
import { mailbox } from './outbound.js';

// Forwarding (F9): rules that send a copy of scanned mail (delivered or tagged, never quarantined or refused) to
// other addresses, for the whole tenant. The copy's envelope sender is the original sender rewritten by SRS
// (so SPF at the far end judges our domain), the original recipient, or a fixed address. Loops stop at maxHops
// forwards (X-Moat-Forwarded) or maxReceived trace fields; such a message is delivered, not forwarded again.

const senderFilter = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('address'), address: mailbox }).strict(),
  z.object({ kind: z.literal('domain'), domain: domainName }).strict(),
]);

/** Recipients the rule applies to: an address or domain of the tenant's, or the members of one of its `groups`. */
const recipientFilter = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('address'), address: mailbox }).strict(),
  z.object({ kind: z.literal('domain'), domain: domainName }).strict(),
  z.object({ kind: z.literal('group'), group: z.string().min(1).max(64) }).strict(),
]);

/** The copy's envelope sender: `original-sender` is the sender's address rewritten by SRS at the recipient's domain. */
const forwardingSender = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('original-sender') }).strict(),
  z.object({ kind: z.literal('original-recipient') }).strict(),
  z.object({ kind: z.literal('address'), address: mailbox }).strict(),
]);

export const forwardingRuleSchema = z
  .object({
    name: z.string().regex(/^[\w .-]{1,64}$/, 'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores'),
    enabled: z.boolean().default(true),
    senders: senderFilter.default({ kind: 'all' }),
    recipients: recipientFilter,
    forwardingSender: forwardingSender.default({ kind: 'original-sender' }),
    /** Where the copy goes; an address that already receives the message gets no second copy. */
    to: z.array(mailbox).min(1).max(20),
    /** forward: the matched recipient no longer gets the message; copy: it gets it and the copy goes too. */
    mode: z.enum(['forward', 'copy']).default('copy'),
  })
  .strict();

export const forwardingSchema = z
  .object({
    rules: z.array(forwardingRuleSchema).max(500).default([]),
    /** A message that was already forwarded this many times (X-Moat-Forwarded) is delivered, not forwarded again. */
    maxHops: z.number().int().min(1).max(20).default(5),
    /** Nor is one with this many Received fields (a loop through servers that drop our field). */
    maxReceived: z.number().int().min(5).max(100).default(30),
    srs: z
      .object({
        /** The SRS address's domain, one of the tenant's; absent: the original recipient's domain. */
        domain: domainName.optional(),
        /** How long a bounce to an SRS address is accepted (its timestamp's age). */
        maxAgeDays: z.number().int().min(1).max(60).default(21),
      })
      .strict()
      .default({ maxAgeDays: 21 }),
  })
  .strict();

export type ForwardingPolicy = z.output<typeof forwardingSchema>;
export type ForwardingRule = z.output<typeof forwardingRuleSchema>;

/**
 * Problems of FORWARDING that need the tenant's DOMAINS and GROUPS (names): duplicate names, filters and SRS domain
 * outside the domains, unknown groups.
 */
export function forwardingProblems(forwarding: ForwardingPolicy, domains: ReadonlySet<string>, groups: ReadonlySet<string>): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const names = new Set<string>();
  const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);
  forwarding.rules.forEach((rule, i) => {
    if (names.has(rule.name)) problems.push({ path: ['rules', i, 'name'], message: `duplicate rule name ${rule.name}` });
    names.add(rule.name);
    const recipients = rule.recipients;
    if (recipients.kind === 'group') {
      if (!groups.has(recipients.group)) problems.push({ path: ['rules', i, 'recipients', 'group'], message: `no group named ${recipients.group} in groups` });
      return;
    }
    const domain = recipients.kind === 'domain' ? recipients.domain : domainOf(recipients.address);
    if (!domains.has(domain)) problems.push({ path: ['rules', i, 'recipients'], message: `${domain} is not one of the tenant's domains` });
  });
  if (forwarding.srs.domain && !domains.has(forwarding.srs.domain)) problems.push({ path: ['srs', 'domain'], message: `${forwarding.srs.domain} is not one of the tenant's domains (bounces to SRS addresses must reach the nodes)` });
  return problems;
}
