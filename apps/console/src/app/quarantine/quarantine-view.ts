import type { QuarantineReason } from '../api/api.types';

/** Each reason as the quarantine page names it. */
export const REASON_LABELS: Record<QuarantineReason, string> = {
  virus: 'Virus',
  attachment: 'Attachment rule',
  dlp: 'Personal data (DLP)',
  authentication: 'Sender authentication',
  spam: 'Spam score',
  hold: 'Held for approval',
};

const DAY_MS = 24 * 3600 * 1000;

/** When a held message goes: "in 29 days", "in 5 h", "in 3 min", "at the next sweep" once its time has come. */
export function expiresIn(expiresAtMs: number, nowMs: number): string {
  const left = expiresAtMs - nowMs;
  if (left <= 0) return 'at the next sweep';
  if (left >= 2 * DAY_MS) return `in ${Math.floor(left / DAY_MS)} days`;
  if (left >= 3600_000) return `in ${Math.floor(left / 3600_000)} h`;
  return `in ${Math.max(1, Math.floor(left / 60_000))} min`;
}

/** The expiry setting as typed: a number of days above 0 and at most 3650 (fractions allowed), else why not. */
export function parseDays(text: string): { days: number } | { problem: string } {
  const days = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(days) || days <= 0 || days > 3650) return { problem: 'Days must be a number above 0 and at most 3650 (0.5 is 12 hours).' };
  return { days };
}
