import { inflateRawSync } from 'node:zlib';
import { leavesExtractionDir } from './member-names.js';
import type { SevenZipReader } from './seven-zip.js';
import type { ArchiveBudget, ContainerReader, Expansion, Issue, Member } from './types.js';
import { overlappingEntries, readZipDirectory } from './zip-directory.js';

const STORED = 0;
const DEFLATE = 8;

/**
 * Zip in JavaScript for stored and deflated members (the common case, no process spawned); encrypted
 * members and other methods (deflate64, bzip2, implode, LZMA, AES) go to 7-Zip. The central directory is
 * checked first: overlapping members, traversal names and the declared sizes against the budget.
 */
export class ZipReader implements ContainerReader {
  readonly format = 'zip';

  constructor(private readonly fallback: SevenZipReader) {}

  async read(data: Buffer, budget: ArchiveBudget, passwords: readonly string[]): Promise<Expansion> {
    const directory = readZipDirectory(data);
    if (directory.error && directory.entries.length === 0) return this.fallback.read(data, budget, passwords);
    const issues: Issue[] = [];
    if (directory.error) issues.push({ symbol: 'ARCHIVE_UNSCANNABLE', detail: `zip: ${directory.error}; read the members before it` });
    const overlap = overlappingEntries(directory.entries);
    if (overlap) return { members: [], issues: [...issues, { symbol: 'ARCHIVE_BOMB', detail: `zip: ${overlap}` }] };
    const files = directory.entries.filter((e) => !e.name.endsWith('/'));
    for (const e of files) if (leavesExtractionDir(e.name)) issues.push({ symbol: 'ARCHIVE_PATH_TRAVERSAL', detail: `member name ${JSON.stringify(e.name)}` });
    const refusal = budget.refuse(files, data.length);
    if (refusal) return { members: [], issues: [...issues, { symbol: 'ARCHIVE_BOMB', detail: `zip: ${refusal}` }] };
    if (files.some((e) => e.encrypted || (e.method !== STORED && e.method !== DEFLATE))) {
      const delegated = await this.fallback.read(data, budget, passwords);
      return { members: delegated.members, issues: [...issues, ...delegated.issues] };
    }

    const members: Member[] = [];
    for (const entry of files) {
      if (entry.dataStart < 0) {
        issues.push({ symbol: 'ARCHIVE_UNSCANNABLE', detail: `zip: local header of ${entry.name} is damaged` });
        continue;
      }
      const raw = data.subarray(entry.dataStart, entry.dataStart + entry.compressed);
      const allowance = budget.entryAllowance;
      let content: Buffer;
      try {
        content = entry.method === STORED ? raw : inflateRawSync(raw, { maxOutputLength: allowance + 1 });
      } catch (err) {
        const tooBig = err instanceof RangeError || (err instanceof Error && /buffer|maxOutputLength/i.test(err.message));
        issues.push(
          tooBig
            ? { symbol: 'ARCHIVE_BOMB', detail: `zip: ${entry.name} inflates past ${allowance} bytes` }
            : { symbol: 'ARCHIVE_UNSCANNABLE', detail: `zip: ${entry.name}: ${err instanceof Error ? err.message : String(err)}` },
        );
        if (tooBig) return { members, issues };
        continue;
      }
      if (content.length > allowance || !budget.take(content.length)) {
        issues.push({ symbol: 'ARCHIVE_BOMB', detail: `zip: ${entry.name} takes the archive past the per-message entry or byte budget` });
        return { members, issues };
      }
      if (content.length > 1024 * 1024 && content.length / Math.max(raw.length, 1) > budget.limits.maxRatio) {
        issues.push({ symbol: 'ARCHIVE_BOMB', detail: `zip: ${entry.name} expands ${Math.round(content.length / raw.length)}x, over the ${budget.limits.maxRatio}x ratio limit` });
        return { members, issues };
      }
      members.push({ name: entry.name, content });
    }
    return { members, issues };
  }
}
