import type { ActionName } from '../repositories/event-store.repository.js';

/** Why a message is in the quarantine, as the quarantine page groups it. */
export const QUARANTINE_REASONS = ['virus', 'attachment', 'dlp', 'authentication', 'spam', 'hold'] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];

export function isQuarantineReason(value: string): value is QuarantineReason {
  return (QUARANTINE_REASONS as readonly string[]).includes(value);
}

// The findings that put a message in the quarantine by themselves, by reason, most serious first: malware (the
// antivirus engines, the hash list, a sandbox verdict), an attachment rule (blocked types and extensions,
// archives, active content, the ransomware group), personal data (DLP), the sender's authentication (the
// policy's action for SPF/DKIM/DMARC, or the sender domain's DMARC policy). A name ending in `_` is a prefix.
const FAMILIES: { reason: QuarantineReason; symbols: string[] }[] = [
  { reason: 'virus', symbols: ['AV_VIRUS', 'AV_HASH', 'SANDBOX_HIGH', 'SANDBOX_MEDIUM'] },
  { reason: 'attachment', symbols: ['ATTACHMENT_', 'ARCHIVE_BOMB', 'ARCHIVE_DEPTH', 'ARCHIVE_ENCRYPTED', 'ARCHIVE_PATH_TRAVERSAL', 'ARCHIVE_UNSCANNABLE', 'AV_UNSCANNABLE', 'OFFICE_', 'HWP_SCRIPT', 'DOUBLE_EXT', 'RANSOMWARE'] },
  { reason: 'dlp', symbols: ['DLP_'] },
  { reason: 'authentication', symbols: ['AUTH_POLICY', 'DMARC_QUARANTINE', 'DMARC_REJECT'] },
];

const matches = (name: string, pattern: string) => (pattern.endsWith('_') ? name.startsWith(pattern) : name === pattern);

/**
 * The reason a held message is in the quarantine and the symbols that say so: the most serious family among
 * its symbols; else `hold` for a message held for approval, `spam` for one its score quarantined.
 */
export function quarantineReason(action: ActionName, symbols: readonly { name: string; score: number }[]): { reason: QuarantineReason; symbols: string[] } {
  for (const family of FAMILIES) {
    const found = symbols.filter((s) => family.symbols.some((p) => matches(s.name, p))).map((s) => s.name);
    if (found.length > 0) return { reason: family.reason, symbols: found };
  }
  if (action === 'hold') return { reason: 'hold', symbols: [] };
  return { reason: 'spam', symbols: symbols.filter((s) => s.score > 0).sort((a, b) => b.score - a.score).slice(0, 3).map((s) => s.name) };
}
