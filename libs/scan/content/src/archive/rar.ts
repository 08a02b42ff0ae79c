import { createExtractorFromData, type FileHeader } from 'node-unrar-js';
import { leavesExtractionDir } from './member-names.js';
import type { ArchiveBudget, ContainerReader, Expansion, Issue, Member } from './types.js';

/**
 * RAR 2.9 to 5 through the official unrar compiled to WebAssembly (node-unrar-js): Debian's 7-Zip is built
 * without the non-free RAR codec. Headers are checked against the budget before any member is unpacked.
 */
export class RarReader implements ContainerReader {
  readonly format = 'rar';

  async read(data: Buffer, budget: ArchiveBudget, passwords: readonly string[]): Promise<Expansion> {
    const issues: Issue[] = [];
    // A plain ArrayBuffer of its own: the file may be a view into a larger (or shared) message buffer.
    const buffer = new Uint8Array(data).buffer;
    const candidates = ['', ...passwords.slice(0, budget.limits.maxPasswordAttempts)];
    let locked = false;
    for (const password of candidates) {
      let headers: FileHeader[];
      try {
        const extractor = await createExtractorFromData({ data: buffer, password });
        headers = [...extractor.getFileList().fileHeaders].filter((h) => !h.flags.directory);
        if (headers.some((h) => h.flags.encrypted) && password === '') {
          locked = true;
          continue;
        }
        const refusal = budget.refuse(headers.map((h) => ({ size: h.unpSize, compressed: h.packSize })), data.length);
        for (const h of headers) if (leavesExtractionDir(h.name)) issues.push({ symbol: 'ARCHIVE_PATH_TRAVERSAL', detail: `member name ${JSON.stringify(h.name)}` });
        if (refusal) return { members: [], issues: [...issues, { symbol: 'ARCHIVE_BOMB', detail: `rar: ${refusal}` }] };
        const members: Member[] = [];
        for (const file of extractor.extract({ password }).files) {
          if (file.fileHeader.flags.directory || !file.extraction) continue;
          const content = Buffer.from(file.extraction);
          if (content.length > budget.entryAllowance || !budget.take(content.length)) {
            issues.push({ symbol: 'ARCHIVE_BOMB', detail: `rar: ${file.fileHeader.name} takes the archive past the per-message entry or byte budget` });
            break;
          }
          members.push({ name: file.fileHeader.name, content });
        }
        if (locked) issues.push({ symbol: 'ARCHIVE_DECRYPTED', detail: 'encrypted rar opened with a password found in the message' });
        return { members, issues };
      } catch (err) {
        const reason = err instanceof Error && 'reason' in err ? String(err.reason) : '';
        if (reason === 'ERAR_MISSING_PASSWORD' || reason === 'ERAR_BAD_PASSWORD' || reason === 'ERAR_BAD_DATA') {
          locked = true;
          continue;
        }
        return { members: [], issues: [...issues, { symbol: 'ARCHIVE_UNSCANNABLE', detail: `rar: ${err instanceof Error ? err.message : String(err)}` }] };
      }
    }
    return { members: [], issues: [...issues, { symbol: 'ARCHIVE_ENCRYPTED', detail: `encrypted rar; ${candidates.length - 1} password(s) from the message did not open it` }] };
  }
}
