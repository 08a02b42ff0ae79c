import { createHash } from 'node:crypto';
import type { AuditEntry, AuditFields } from '../repositories/event-store.repository.js';

/** Where a chain check stopped: the first entry that does not follow from the one before it. */
export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * The hash of an entry: SHA-256 (hex) over its canonical fields as a JSON array in a fixed order, the previous
 * entry's hash included, so changing, removing or reordering any entry changes every hash after it.
 */
export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  const canonical = JSON.stringify([entry.seq, entry.atMs, entry.admin, entry.action, entry.target, entry.detail, entry.ok, entry.prevHash]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * The entry that follows PREVIOUS (undefined: the first, seq 1). Text is made well-formed UTF-16 first: a lone
 * surrogate would be stored as U+FFFD and the stored entry would no longer match its hash.
 */
export function chainEntry(previous: AuditEntry | undefined, fields: AuditFields): AuditEntry {
  const entry = {
    seq: (previous?.seq ?? 0) + 1,
    atMs: fields.atMs,
    admin: wellFormed(fields.admin),
    action: wellFormed(fields.action),
    target: wellFormed(fields.target),
    detail: wellFormed(fields.detail),
    ok: fields.ok,
    prevHash: previous?.hash ?? '',
  };
  return { ...entry, hash: auditHash(entry) };
}

/**
 * Checks ENTRIES (ascending seq) against the entry before them (PREVIOUS; undefined at the start of what is
 * kept). Returns the first break: a missing seq, a prevHash that is not the previous hash, or a hash that does
 * not match the entry's fields.
 */
export function findChainBreak(previous: AuditEntry | undefined, entries: readonly AuditEntry[]): ChainBreak | undefined {
  let before = previous;
  for (const entry of entries) {
    if (before && entry.seq !== before.seq + 1) {
      return { seq: before.seq + 1, reason: `entry ${before.seq + 1} is missing (entry ${before.seq} is followed by ${entry.seq})` };
    }
    if (before && entry.prevHash !== before.hash) return { seq: entry.seq, reason: `entry ${entry.seq} does not name entry ${before.seq}'s hash as its previous one` };
    if (!before && entry.seq === 1 && entry.prevHash !== '') return { seq: 1, reason: 'entry 1 names a previous entry' };
    if (auditHash(entry) !== entry.hash) return { seq: entry.seq, reason: `entry ${entry.seq} does not match its hash (its fields were changed after it was written)` };
    before = entry;
  }
  return undefined;
}

/** TEXT as it reads back after a UTF-8 round trip (lone surrogates become U+FFFD). */
function wellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
