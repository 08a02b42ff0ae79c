import { z } from 'zod';
import { mailbox } from './outbound.js';

// Recipient groups of the tenant: named sets of addresses at its domains, used by forwarding rules' recipient
// filter (`{kind: 'group', group}`). Written by hand today; the directory sync (LDAP) writes its groups here too.

export const groupSchema = z
  .object({
    name: z.string().regex(/^[\w .-]{1,64}$/, 'must be 1 to 64 letters, digits, spaces, dots, dashes or underscores'),
    /** Addresses at the tenant's domains, in lower case, each once. */
    members: z.array(mailbox).max(100_000).default([]),
  })
  .strict();

export const groupsSchema = z.array(groupSchema).max(10_000);

export type PolicyGroup = z.output<typeof groupSchema>;

/** Problems of GROUPS that need the tenant's DOMAINS: duplicate names, members outside the domains or listed twice. */
export function groupsProblems(groups: readonly PolicyGroup[], domains: ReadonlySet<string>): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const names = new Set<string>();
  groups.forEach((group, i) => {
    if (names.has(group.name)) problems.push({ path: [i, 'name'], message: `duplicate group name ${group.name}` });
    names.add(group.name);
    const members = new Set<string>();
    group.members.forEach((member, j) => {
      if (!domains.has(member.slice(member.lastIndexOf('@') + 1))) problems.push({ path: [i, 'members', j], message: `${member} is not at one of the tenant's domains` });
      if (members.has(member)) problems.push({ path: [i, 'members', j], message: `duplicate member ${member}` });
      members.add(member);
    });
  });
  return problems;
}
