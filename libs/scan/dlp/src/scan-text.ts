import { bankAccountDetector } from './detectors/bank-account.js';
import { cardDetector } from './detectors/card.js';
import type { DetectOptions, Detector, DlpKind } from './detectors/detector.js';
import { driverLicenceDetector } from './detectors/driver-licence.js';
import { emailDetector } from './detectors/email.js';
import { foreignerRrnDetector } from './detectors/foreigner-rrn.js';
import { passportDetector } from './detectors/passport.js';
import { phoneDetector } from './detectors/phone.js';
import { rrnDetector } from './detectors/rrn.js';

/**
 * Every detector, most specific first: where two would take overlapping text (a 12-digit licence number is
 * also a plausible bank account), the earlier one keeps it.
 */
export const DETECTORS: readonly Detector[] = [
  rrnDetector,
  foreignerRrnDetector,
  cardDetector,
  driverLicenceDetector,
  passportDetector,
  bankAccountDetector,
  phoneDetector,
  emailDetector,
];

export const DLP_KINDS: readonly DlpKind[] = DETECTORS.map((d) => d.kind);

export interface ScanTextOptions extends Partial<DetectOptions> {
  /** Kinds to look for (default: all). */
  kinds?: readonly DlpKind[];
  /** Masked samples kept per kind (default 3). */
  maxSamples?: number;
  /** Return the offsets of each match (at most `maxSamples * 10` per kind). */
  positions?: boolean;
  /** Characters read (default 16 Mi); the rest is not scanned and the result says `truncated`. */
  maxChars?: number;
}

export interface DlpFinding {
  kind: DlpKind;
  /** Distinct values (the same number written twice counts once). */
  count: number;
  /** Matches, repeats included. */
  occurrences: number;
  /** Masked values, never a whole number. */
  samples: string[];
  /** Start offsets in the text, when asked for. */
  positions?: number[];
}

export interface TextScan {
  findings: DlpFinding[];
  truncated: boolean;
}

export const DEFAULT_MAX_CHARS = 16 * 1024 * 1024;

/**
 * Finds personal data in TEXT: one pass of each detector's linear regular expression, candidates validated
 * (dates, checksums, issuer prefixes), overlaps given to the more specific detector. Findings hold masked
 * samples only. Work is linear in the text (bounded by `maxChars`).
 */
export function scanText(text: string, options: ScanTextOptions = {}): TextScan {
  const { findings, truncated } = scanTextValues(text, options);
  return { findings, truncated };
}

/**
 * `scanText` with the distinct canonical values per kind, for adding up several texts of one message without
 * counting a value twice. The values stay in memory: nothing returned by this library's API carries them.
 */
export function scanTextValues(text: string, options: ScanTextOptions = {}): TextScan & { values: Map<DlpKind, Set<string>> } {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const truncated = text.length > maxChars;
  const input = truncated ? text.slice(0, maxChars) : text;
  const detect: DetectOptions = { strictChecksum: options.strictChecksum ?? true };
  const wanted = new Set(options.kinds ?? DLP_KINDS);
  const maxSamples = options.maxSamples ?? 3;
  const claimed = new Claimed(input.length);
  const findings: DlpFinding[] = [];
  const byKind = new Map<DlpKind, Set<string>>();
  for (const detector of DETECTORS) {
    if (!wanted.has(detector.kind)) continue;
    const values = new Set<string>();
    const finding: DlpFinding = { kind: detector.kind, count: 0, occurrences: 0, samples: [], ...(options.positions ? { positions: [] } : {}) };
    const pattern = new RegExp(detector.pattern.source, detector.pattern.flags);
    for (let match = pattern.exec(input); match; match = pattern.exec(input)) {
      const end = match.index + match[0].length;
      if (claimed.overlaps(match.index, end)) continue;
      const value = detector.accept(match, detect);
      if (value === undefined) continue;
      claimed.add(match.index, end);
      finding.occurrences++;
      if (finding.positions && finding.positions.length < maxSamples * 10) finding.positions.push(match.index);
      if (values.has(value)) continue;
      values.add(value);
      const masked = detector.mask(value);
      if (finding.samples.length < maxSamples && !finding.samples.includes(masked)) finding.samples.push(masked);
    }
    finding.count = values.size;
    if (finding.count > 0) {
      findings.push(finding);
      byKind.set(detector.kind, values);
    }
  }
  return { findings, truncated, values: byKind };
}

/** Characters taken by earlier detectors; a match is at most a few dozen characters, so a lookup is cheap. */
class Claimed {
  private readonly taken: Uint8Array;

  constructor(length: number) {
    this.taken = new Uint8Array(length);
  }

  overlaps(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.taken[i]) return true;
    return false;
  }

  add(start: number, end: number): void {
    this.taken.fill(1, start, end);
  }
}
