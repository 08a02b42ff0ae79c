/** A From/Reply-To value split into its display name and address. */
export interface NamedAddress {
  name: string;
  address: string;
}

const ANGLE_ADDR = /<([^<>]*)>\s*$/;

/**
 * Splits the decoded text of an address header (`"Kim Minsu" <kim@example.com>`) into name and address;
 * of a list, the first mailbox. A bare address has an empty name.
 */
export function splitNamedAddress(value: string): NamedAddress {
  const first = firstMailbox(value.trim());
  const angle = ANGLE_ADDR.exec(first);
  if (!angle) return { name: '', address: first.toLowerCase() };
  const name = first
    .slice(0, angle.index)
    .trim()
    .replace(/^"(.*)"$/s, '$1')
    .replace(/\\(.)/g, '$1')
    .trim();
  return { name, address: (angle[1] ?? '').trim().toLowerCase() };
}

/** The first mailbox of a comma-separated list, ignoring commas inside quotes and angle brackets. */
function firstMailbox(value: string): string {
  return mailboxes(value)[0] ?? '';
}

/** The mailboxes of a comma-separated address list, split at commas outside quotes and angle brackets. */
export function mailboxes(value: string): string[] {
  const found: string[] = [];
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && char === '<') angle = true;
    else if (!quoted && char === '>') angle = false;
    else if (!quoted && !angle && char === ',') {
      found.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  found.push(value.slice(start).trim());
  return found.filter((box) => box !== '');
}

/** A name as compared: NFKC, lower case, no punctuation or spaces ("Kim, Min-su" = "kim minsu" = "KimMinsu"). */
export function comparableName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}
