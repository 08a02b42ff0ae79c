import type { DlpKindName } from '@moat/policy';

/** What the detectors find: the kinds the policy's DLP rules name. */
export type DlpKind = DlpKindName;

export interface DetectOptions {
  /**
   * Resident registration numbers must satisfy the checksum (default true). Numbers issued since October 2020
   * end in random digits and may fail it: false accepts any number with a valid date and gender digit.
   */
  strictChecksum: boolean;
}

/**
 * One detector: a global regular expression that finds candidates in linear time (fixed or bounded
 * quantifiers only, and a look-behind so that no candidate starts inside a longer run), then `accept`, which
 * validates a candidate and returns its canonical form (digits only for numbers) or undefined.
 */
export interface Detector {
  kind: DlpKind;
  pattern: RegExp;
  accept(match: RegExpExecArray, options: DetectOptions): string | undefined;
  /** The canonical form with most of it hidden; never the whole value. */
  mask(canonical: string): string;
}

/** Not preceded by a digit, nor by a digit and a dash or dot: a number inside a longer digit run is not one. */
export const DIGIT_START = String.raw`(?<!\d[-.]?)`;
/** Not followed by a digit, nor by a dash or dot and a digit. */
export const DIGIT_END = String.raw`(?![-.]?\d)`;
/** One optional separator between groups: a space, dash or dot. */
export const SEP = String.raw`[ .\-]?`;

export function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

/** `keep` leading characters of VALUE, the rest as `*`. */
export function keepHead(value: string, keep: number): string {
  return value.slice(0, keep) + '*'.repeat(Math.max(value.length - keep, 0));
}
