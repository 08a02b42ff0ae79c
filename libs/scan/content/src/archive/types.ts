import type { ContentSymbol } from '../findings.js';
import type { ArchiveLimits } from '../limits.js';

/** A file taken out of a container. */
export interface Member {
  name: string;
  content: Buffer;
}

/** A finding about the container itself; the caller places it at the container's path. */
export interface Issue {
  symbol: ContentSymbol;
  detail: string;
}

/** What opening one container gave: its members and what was wrong with it. */
export interface Expansion {
  members: Member[];
  issues: Issue[];
}

/** What is left of the per-message archive budget; every reader draws from it before it decompresses. */
export class ArchiveBudget {
  entries: number;
  bytes: number;

  constructor(readonly limits: ArchiveLimits) {
    this.entries = limits.maxEntries;
    this.bytes = limits.maxTotalBytes;
  }

  /** The most one member may decompress to now. */
  get entryAllowance(): number {
    return Math.min(this.limits.maxEntryBytes, this.bytes);
  }

  /**
   * Why a container with these declared members would break a bomb limit, or undefined. Sizes a format does
   * not declare count as 0 here; the readers then cap the real output at `entryAllowance`.
   */
  refuse(members: ReadonlyArray<{ size: number; compressed: number }>, containerBytes: number): string | undefined {
    if (members.length > this.entries) return `${members.length} members, more than the ${this.entries} left of the ${this.limits.maxEntries}-member limit`;
    const total = members.reduce((sum, m) => sum + m.size, 0);
    if (total > this.bytes) return `${total} bytes declared, more than the ${this.bytes} left of the ${this.limits.maxTotalBytes}-byte limit`;
    for (const m of members) {
      if (m.size > this.limits.maxEntryBytes) return `a member of ${m.size} bytes, over the ${this.limits.maxEntryBytes}-byte member limit`;
    }
    if (total > 1024 * 1024 && total / Math.max(containerBytes, 1) > this.limits.maxRatio) {
      return `expands ${Math.round(total / Math.max(containerBytes, 1))}x, over the ${this.limits.maxRatio}x ratio limit`;
    }
    return undefined;
  }

  /** Takes what a member really decompressed to; false (and nothing taken) when it does not fit. */
  take(bytes: number): boolean {
    if (this.entries < 1 || bytes > this.bytes) return false;
    this.entries--;
    this.bytes -= bytes;
    return true;
  }
}

/** A reader for one container format. `passwords` are candidates from the message; '' is tried first. */
export interface ContainerReader {
  readonly format: string;
  read(data: Buffer, budget: ArchiveBudget, passwords: readonly string[]): Promise<Expansion>;
}
