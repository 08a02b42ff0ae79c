import type { ScanContext } from '../check.js';

/** Stage-1 checks leave alone clients the section exempts, and do nothing without a client address (offline scans). */
export function stageOneExempt(ctx: ScanContext): boolean {
  const ip = ctx.envelope.clientIp;
  return ip === '' || ctx.policy.stage1.exempt.has(ip);
}

/** The error text of a fleet-state failure, for the *_UNAVAILABLE symbols (the checks then let the message pass). */
export function failureText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
