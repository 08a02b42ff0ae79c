import type { Issue, Member } from '../archive/types.js';
import type { TrueType } from '../filetype/type-kind.js';

/** What an active-content detector found in one file, and the files embedded in it (scanned in turn). */
export interface Analysis {
  issues: Issue[];
  embedded: Member[];
}

/** One active-content detector: looks at files of the types it knows, returns nothing for the others. */
export interface ActiveContentDetector {
  readonly name: string;
  applies(type: TrueType, name: string): boolean;
  analyze(data: Buffer, type: TrueType, maxBytes: number): Analysis;
}

export const NOTHING: Readonly<Analysis> = Object.freeze({ issues: [], embedded: [] });
