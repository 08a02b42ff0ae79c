import type { DlpAction, DlpPolicy } from '@moat/policy';
import type { DlpKind } from './detectors/detector.js';
import type { DlpOptions } from './dlp-findings.js';
import type { DlpFinding } from './scan-text.js';

const SEVERITY: Readonly<Record<DlpAction, number>> = { log: 0, hold: 1, block: 2 };

/** The options to scan a message of DIRECTION with under POLICY, or undefined when DLP does not apply to it. */
export function dlpOptionsOf(policy: DlpPolicy, direction: 'inbound' | 'outbound'): DlpOptions | undefined {
  if (!policy.enabled || !policy.directions.includes(direction)) return undefined;
  const kinds = Object.keys(policy.rules) as DlpKind[];
  return kinds.length > 0 ? { kinds, strictChecksum: policy.strictChecksum } : undefined;
}

export interface DlpVerdict {
  /** The most severe action of the rules that reached their threshold (block > hold > log); undefined: none did. */
  action: DlpAction | undefined;
  triggered: Array<{ kind: DlpKind; count: number; threshold: number; action: DlpAction }>;
}

/** Which of POLICY's rules the findings reach (count of distinct values at or above the threshold). */
export function dlpVerdict(findings: readonly DlpFinding[], policy: DlpPolicy): DlpVerdict {
  const triggered: DlpVerdict['triggered'] = [];
  for (const finding of findings) {
    const rule = policy.rules[finding.kind];
    if (rule && finding.count >= rule.threshold) triggered.push({ kind: finding.kind, count: finding.count, threshold: rule.threshold, action: rule.action });
  }
  const action = triggered.reduce<DlpAction | undefined>((worst, t) => (worst === undefined || SEVERITY[t.action] > SEVERITY[worst] ? t.action : worst), undefined);
  return { action, triggered };
}
