/** "12 s ago", "3 min ago", "2 h ago", "4 d ago"; "never" for 0 (no heartbeat yet). */
export function relativeTime(thenMs: number, nowMs: number): string {
  if (thenMs <= 0) return 'never';
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}
