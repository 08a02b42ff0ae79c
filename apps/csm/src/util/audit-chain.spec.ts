import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../repositories/event-store.repository.js';
import { auditHash, chainEntry, findChainBreak } from './audit-chain.js';

const fields = (n: number) => ({ atMs: 1_700_000_000_000 + n, admin: 'admin', action: 'policy.change', target: `policy v${n}`, detail: `change ${n}`, ok: true });

/** An entry of a chain, which the test made long enough to have it. */
function at(entries: AuditEntry[], index: number): AuditEntry {
  const entry = entries[index];
  if (!entry) throw new Error(`no entry ${index}`);
  return entry;
}

function chain(length: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let n = 1; n <= length; n++) entries.push(chainEntry(entries.at(-1), fields(n)));
  return entries;
}

describe('audit chain', () => {
  it('numbers entries from 1 and links each to the hash of the one before', () => {
    const entries = chain(2);
    const [first, second] = [at(entries, 0), at(entries, 1)];
    expect(first).toMatchObject({ seq: 1, prevHash: '' });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash });
    expect(auditHash(second)).toBe(second.hash);
    expect(findChainBreak(undefined, chain(5))).toBeUndefined();
  });

  it('stores text as it reads back, so a lone surrogate does not break its own hash', () => {
    const entry = chainEntry(undefined, { ...fields(1), detail: 'bad \ud800 half' });
    expect(entry.detail).toBe('bad \ufffd half');
    expect(findChainBreak(undefined, [entry])).toBeUndefined();
  });

  it('names the first changed, missing or re-linked entry', () => {
    const changed = chain(5);
    changed[2] = { ...at(changed, 2), detail: 'forged' };
    expect(findChainBreak(undefined, changed)).toEqual({ seq: 3, reason: 'entry 3 does not match its hash (its fields were changed after it was written)' });

    const gap = chain(5).filter((e) => e.seq !== 4);
    expect(findChainBreak(undefined, gap)).toEqual({ seq: 4, reason: 'entry 4 is missing (entry 3 is followed by 5)' });

    // Entry 3 rewritten with a fresh hash: its own hash matches, entry 4 no longer follows it.
    const rehashed = chain(5);
    const forged = { ...at(rehashed, 2), detail: 'forged' };
    rehashed[2] = { ...forged, hash: auditHash(forged) };
    expect(findChainBreak(undefined, rehashed)?.seq).toBe(4);
  });

  it('checks a page against the last entry of the page before', () => {
    const entries = chain(6);
    expect(findChainBreak(entries[2], entries.slice(3))).toBeUndefined();
    expect(findChainBreak(entries[1], entries.slice(3))?.seq).toBe(3);
  });
});
