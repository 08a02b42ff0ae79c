import type { ParsedMessage } from './mime.js';
import { registrableDomain } from './urls.js';

/** The shape of a generated string: digits become 9, letters a/A, runs collapse ("g86GT2X" -> "a9A9A"). */
export function shape(s: string): string {
  return s
    .slice(0, 60)
    .replace(/\d+/g, '9')
    .replace(/[a-z]+/g, 'a')
    .replace(/[A-Z]+/g, 'A')
    .replace(/\s+/g, ' ');
}

// Headers that list managers and legitimate bulk mailers add. Only their presence is a feature: their values
// name the list or sender, which the From features already cover.
const BULK_HEADERS = ['list-id', 'list-unsubscribe', 'list-post', 'errors-to', 'sender', 'organization', 'mailing-list', 'x-mailing-list'];

/** "m:h:" the bulk and list headers present, and the Precedence value. */
export function addBulkHeaders(msg: ParsedMessage, out: Set<string>): void {
  const names = new Set(msg.headers.map((h) => h.name));
  for (const name of BULK_HEADERS) if (names.has(name)) out.add('m:h:' + name);
  const precedence = msg.headers.find((h) => h.name === 'precedence')?.value.trim().toLowerCase();
  if (precedence) out.add('m:h:precedence:' + precedence.slice(0, 20));
}

/** The From address as the tokeniser sees it. */
export interface Sender {
  local: string;
  domain: string;
  name: string;
}

/**
 * "m:fn:" how the display name relates to the address (none, an address, the local part again, all capitals,
 * "First Last", one word, several words) and "m:fl:" the shape of the local part: ratware fills these in
 * differently from people and mailing programs.
 */
export function addSenderShape(from: Sender, out: Set<string>): void {
  out.add('m:fn:' + displayNameKind(from));
  out.add('m:fl:' + shape(from.local));
}

function displayNameKind({ name, local }: Sender): string {
  if (!name) return 'none';
  if (name.includes('@')) return 'addr';
  if (name.replace(/[^\p{L}]/gu, '').toLowerCase() === local.replace(/[^a-z]/g, '')) return 'local';
  if (name === name.toUpperCase() && /\p{Lu}/u.test(name)) return 'caps';
  if (/^\p{Lu}\p{Ll}+ \p{Lu}\p{Ll}+$/u.test(name)) return 'first_last';
  return /\s/.test(name.trim()) ? 'words' : 'one';
}

/**
 * "m:al:" whether the sender's domain is the one its Message-ID and its links use: a mailing program of the
 * sender's own organisation says the same domain in all three, while forged senders rarely do.
 */
export function addAlignment(fromDomain: string, messageIdDomain: string, linkDomains: Set<string>, out: Set<string>): void {
  const sender = registrableDomain(fromDomain);
  if (!sender) return;
  if (messageIdDomain && registrableDomain(messageIdDomain) === sender) out.add('m:al:mid');
  if (linkDomains.has(sender)) out.add('m:al:link');
  else if (linkDomains.size > 0) out.add('m:al:nolink');
}
