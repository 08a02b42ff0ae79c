import { leavesExtractionDir } from './member-names.js';
import type { ArchiveBudget, ContainerReader, Expansion, Issue, Member } from './types.js';

const BLOCK = 512;

/** POSIX/GNU tar in JavaScript: ustar names with prefix, GNU long names (L) and pax `path=` records. */
export class TarReader implements ContainerReader {
  readonly format = 'tar';

  read(data: Buffer, budget: ArchiveBudget): Promise<Expansion> {
    const members: Member[] = [];
    const issues: Issue[] = [];
    let pos = 0;
    let longName: string | undefined;
    while (pos + BLOCK <= data.length) {
      const header = data.subarray(pos, pos + BLOCK);
      if (header.every((b) => b === 0)) break;
      const size = readSize(header);
      const type = String.fromCharCode(header[156] ?? 0);
      const bodyStart = pos + BLOCK;
      if (size < 0 || bodyStart + size > data.length) {
        issues.push({ symbol: 'ARCHIVE_UNSCANNABLE', detail: `tar: member at offset ${pos} runs past the end` });
        break;
      }
      const body = data.subarray(bodyStart, bodyStart + size);
      pos = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'L') {
        longName = cString(body);
        continue;
      }
      if (type === 'x') {
        longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName;
        continue;
      }
      if (type !== '0' && type !== '\0' && type !== '7') {
        longName = undefined;
        continue;
      }
      const prefix = header.subarray(257, 263).toString('latin1').startsWith('ustar') ? cString(header.subarray(345, 500)) : '';
      const name = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
      longName = undefined;
      if (leavesExtractionDir(name)) issues.push({ symbol: 'ARCHIVE_PATH_TRAVERSAL', detail: `member name ${JSON.stringify(name)}` });
      if (size > budget.entryAllowance || !budget.take(size)) {
        issues.push({ symbol: 'ARCHIVE_BOMB', detail: `tar: ${name} takes the archive past the per-message entry or byte budget` });
        break;
      }
      members.push({ name, content: body });
    }
    return Promise.resolve({ members, issues });
  }
}

/** Whether the block at 0 is a tar header (ustar magic, or a valid header checksum for old tars). */
export function isTar(data: Buffer): boolean {
  if (data.length < BLOCK) return false;
  if (data.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const stored = parseInt(cString(data.subarray(148, 156)).trim(), 8);
  if (Number.isNaN(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : data[i]!;
  return sum === stored;
}

function readSize(header: Buffer): number {
  // GNU base-256 for sizes past 8 GiB: first byte 0x80.
  if ((header[124]! & 0x80) !== 0) {
    let size = 0;
    for (let i = 125; i < 136; i++) size = size * 256 + header[i]!;
    return size;
  }
  const text = cString(header.subarray(124, 136)).trim();
  const size = parseInt(text || '0', 8);
  return Number.isNaN(size) ? -1 : size;
}

function cString(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return bytes.toString('utf8', 0, nul === -1 ? bytes.length : nul);
}
