import type { ListKind, ListsView, PolicyLists } from '../api/api.types';

/** Each list kind as the page names it, and the policy field that holds it. */
export const KIND_LABELS: Record<ListKind, string> = {
  'ip-block': 'Blocked IPs and networks',
  'ip-allow': 'Allowed IPs and networks',
  'sender-block': 'Blocked senders',
  'sender-allow': 'Allowed senders',
};

const KIND_FIELDS: Record<ListKind, keyof PolicyLists> = {
  'ip-block': 'ipBlock',
  'ip-allow': 'ipAllow',
  'sender-block': 'senderBlock',
  'sender-allow': 'senderAllow',
};

/** The entries of KIND in SCOPE ('' = the global lists, else a domain's), those containing SEARCH (any case). */
export function listEntries(view: ListsView, scope: string, kind: ListKind, search: string): string[] {
  const lists = scope ? view.domains.find((d) => d.name === scope)?.lists : view.lists;
  const needle = search.trim().toLowerCase();
  return (lists?.[KIND_FIELDS[kind]] ?? []).filter((v) => v.includes(needle));
}
