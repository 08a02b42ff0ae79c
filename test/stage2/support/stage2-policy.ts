import type { ContentSymbol } from '@moat/content';
import { activeContentSchema, type PolicyInput } from '@moat/policy';
import type { Expectation } from '../../content/support/expectations.js';

/**
 * The attachments section the stage-2 suites run under: every kind of active content, encrypted and
 * unscannable archives quarantined; blocked extensions, executable content, bombs and antivirus hits refused.
 * Explicit (not the defaults) so that each sample's action follows from its expected symbols alone.
 */
export const STAGE2_ATTACHMENTS: NonNullable<PolicyInput['attachments']> = {
  activeContent: Object.fromEntries(Object.keys(activeContentSchema.shape).map((kind) => [kind, 'quarantine'])),
  archives: { encrypted: 'quarantine', unscannable: 'quarantine', bomb: 'block' },
  types: { executable: 'always' },
  blockedExtensions: { action: 'block' },
  antivirus: { infected: 'block', unavailable: 'tempfail' },
  incomplete: 'quarantine',
};

export type StageTwoAction = 'reject' | 'quarantine' | 'deliver';

const REFUSED: readonly ContentSymbol[] = ['AV_VIRUS', 'AV_HASH', 'ATTACHMENT_BLOCKED_EXTENSION', 'ATTACHMENT_EXECUTABLE', 'ARCHIVE_BOMB'];
// Opened with a password from the body: scanned like any archive, only scored.
const SCORED_ONLY: readonly ContentSymbol[] = ['ARCHIVE_DECRYPTED'];

/** The least a sample's must-fire symbols make of it under STAGE2_ATTACHMENTS. */
export function expectedAction(expectation: Expectation): StageTwoAction {
  if (expectation.symbols.some((s) => REFUSED.includes(s))) return 'reject';
  if (expectation.symbols.some((s) => !SCORED_ONLY.includes(s))) return 'quarantine';
  return 'deliver';
}

/** Whether an actual action satisfies the expected one: refusals exactly, quarantine or stricter, clean delivered. */
export function satisfies(actual: string, expected: StageTwoAction): boolean {
  if (expected === 'quarantine') return actual === 'quarantine' || actual === 'reject';
  return actual === expected;
}
