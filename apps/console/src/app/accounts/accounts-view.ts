import type { AccountsView } from '../api/api.types';

export interface AccountRow {
  address: string;
  domain: string;
  /** A recipient of its domain (domains[].accounts). */
  recipient: boolean;
  /** May submit mail with SMTP AUTH (outbound.accounts); undefined when it has no submission entry. */
  sender: { canSend: boolean; hasPassword: boolean } | undefined;
}

/**
 * One row per address, recipients and submission accounts merged, sorted, those containing SEARCH (any case).
 * A domain without accounts accepts every local part, so it has no rows: `openDomains` names them.
 */
export function accountRows(view: AccountsView, search: string): { rows: AccountRow[]; openDomains: string[] } {
  const rows = new Map<string, AccountRow>();
  for (const d of view.domains) for (const local of d.accounts) rows.set(`${local}@${d.name}`, { address: `${local}@${d.name}`, domain: d.name, recipient: true, sender: undefined });
  for (const s of view.senders) {
    const domain = s.address.slice(s.address.lastIndexOf('@') + 1);
    const row = rows.get(s.address) ?? { address: s.address, domain, recipient: false, sender: undefined };
    rows.set(s.address, { ...row, sender: { canSend: s.canSend, hasPassword: s.hasPassword } });
  }
  const needle = search.trim().toLowerCase();
  return {
    rows: [...rows.values()].filter((r) => r.address.includes(needle)).sort((a, b) => a.address.localeCompare(b.address)),
    openDomains: view.domains.filter((d) => d.accounts.length === 0).map((d) => d.name),
  };
}
