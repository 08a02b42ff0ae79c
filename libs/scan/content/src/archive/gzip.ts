import { gunzipSync } from 'node:zlib';
import type { ArchiveBudget, ContainerReader, Expansion } from './types.js';

/** gzip in JavaScript; the output is capped at the allowance (zlib stops there), so a gzip bomb costs nothing. */
export class GzipReader implements ContainerReader {
  readonly format = 'gzip';

  read(data: Buffer, budget: ArchiveBudget): Promise<Expansion> {
    const allowance = budget.entryAllowance;
    let content: Buffer;
    try {
      content = gunzipSync(data, { maxOutputLength: allowance + 1 });
    } catch (err) {
      if (err instanceof RangeError || (err instanceof Error && /buffer|maxOutputLength/i.test(err.message))) {
        return Promise.resolve({ members: [], issues: [{ symbol: 'ARCHIVE_BOMB', detail: `gzip: decompresses past ${allowance} bytes` }] });
      }
      return Promise.resolve({ members: [], issues: [{ symbol: 'ARCHIVE_UNSCANNABLE', detail: `gzip: ${err instanceof Error ? err.message : String(err)}` }] });
    }
    if (content.length > 1024 * 1024 && content.length / data.length > budget.limits.maxRatio) {
      return Promise.resolve({ members: [], issues: [{ symbol: 'ARCHIVE_BOMB', detail: `gzip: expands ${Math.round(content.length / data.length)}x, over the ${budget.limits.maxRatio}x ratio limit` }] });
    }
    if (!budget.take(content.length)) return Promise.resolve({ members: [], issues: [{ symbol: 'ARCHIVE_BOMB', detail: 'gzip: past the per-message entry or byte budget' }] });
    return Promise.resolve({ members: [{ name: gzipName(data), content }], issues: [] });
  }
}

/** The original file name stored in the header (FNAME), or ''. */
function gzipName(data: Buffer): string {
  const flags = data[3] ?? 0;
  if ((flags & 0x08) === 0) return '';
  let pos = 10;
  if (flags & 0x04) pos += 2 + data.readUInt16LE(10);
  const end = data.indexOf(0, pos);
  return end === -1 ? '' : data.toString('latin1', pos, Math.min(end, pos + 1024));
}
