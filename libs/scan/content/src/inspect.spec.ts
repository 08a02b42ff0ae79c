import { describe, expect, it } from 'vitest';
import { inspectMessage } from './inspect.js';
import { buildEgg, buildTar, buildZip } from './testing/index.js';

function mail(name: string, content: Buffer): Buffer {
  return Buffer.from(
    ['Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'see attached', '--b', `Content-Type: application/octet-stream; name="${name}"`, 'Content-Transfer-Encoding: base64', '', content.toString('base64'), '--b--', ''].join('\r\n'),
  );
}

describe('inspectMessage', () => {
  it('reports an ALZip egg as unscannable wherever it is, under any name, and keeps it in the report', async () => {
    const attached = await inspectMessage(mail('photos.egg', buildEgg()));
    expect(attached.findings).toEqual([{ symbol: 'ARCHIVE_UNSCANNABLE', detail: 'egg archive: no reader for this format', path: '2' }]);
    expect(attached.files.find((f) => f.path === '2')?.type).toMatchObject({ ext: 'egg', container: 'unopenable' });
    const zipped = await inspectMessage(mail('docs.zip', buildZip([{ name: 'invoice.pdf', data: buildEgg() }])));
    expect(zipped.findings.map((f) => [f.symbol, f.path])).toEqual([
      ['ATTACHMENT_TYPE_MISMATCH', '2/invoice.pdf'],
      ['ARCHIVE_UNSCANNABLE', '2/invoice.pdf'],
    ]);
  });

  it('flags path-traversal member names at the archive and still inspects the member', async () => {
    const tar = buildTar([{ name: '../../startup/run.bat', data: Buffer.from('@echo off\r\n') }]);
    const report = await inspectMessage(mail('backup.tar', tar));
    expect(report.findings).toContainEqual({ symbol: 'ARCHIVE_PATH_TRAVERSAL', detail: 'member name "../../startup/run.bat"', path: '2' });
    expect(report.findings).toContainEqual(expect.objectContaining({ symbol: 'ATTACHMENT_BLOCKED_EXTENSION', path: '2/../../startup/run.bat' }));
  });
});
