import { describe, expect, it } from 'vitest';
import { DEFAULT_MIME_LIMITS } from '../limits.js';
import { walkMime } from './walk.js';

const msg = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));
const symbols = (raw: Buffer): string[] => walkMime(raw).findings.map((f) => f.symbol);

describe('walkMime', () => {
  it('decodes base64, quoted-printable and names from RFC 2231 and encoded words', () => {
    const walk = walkMime(
      msg(
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'caf=C3=A9 soft=',
        'break',
        '--b',
        "Content-Disposition: attachment; filename*0*=utf-8''%EC%9D%B8; filename*1=voice.pdf",
        'Content-Type: application/pdf',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 test').toString('base64'),
        '--b',
        'Content-Type: application/octet-stream; name="=?utf-8?B?7ZWc6riA?=.zip"',
        '',
        'raw',
        '--b--',
      ),
    );
    expect(walk.complete).toBe(true);
    expect(walk.leaves.map((l) => [l.path, l.filename])).toEqual([
      ['1', ''],
      ['2', '인voice.pdf'],
      ['3', '한글.zip'],
    ]);
    expect(walk.leaves[0]?.content.toString('utf8')).toBe('café softbreak');
    expect(walk.leaves[1]?.content.toString()).toBe('%PDF-1.4 test');
  });

  it('walks message/rfc822 and yields uuencoded files from text bodies', () => {
    const uu = ['begin 644 run.exe', '#35II', '`', 'end'].join('\r\n');
    const walk = walkMime(
      msg('Content-Type: multipart/mixed; boundary=o', '', '--o', 'Content-Type: message/rfc822', '', 'Subject: inner', 'Content-Type: text/plain', '', uu, '--o--'),
    );
    expect(walk.leaves.map((l) => [l.path, l.source, l.filename])).toEqual([
      ['1', 'part', ''],
      ['1/run.exe', 'uuencode', 'run.exe'],
    ]);
    expect(walk.leaves[1]?.content.toString('latin1')).toBe('MZi');
  });

  it('decodes an x-uuencode body and takes the file name from its begin line', () => {
    const uu = ['begin 644 run.exe', '#35II', '`', 'end'].join('\r\n');
    const part = (...headers: string[]): Buffer => msg('Content-Type: multipart/mixed; boundary=u', '', '--u', ...headers, 'Content-Transfer-Encoding: x-uuencode', '', uu, '--u--');
    const unnamed = walkMime(part('Content-Type: application/octet-stream'));
    expect(unnamed.findings).toEqual([]);
    expect(unnamed.leaves.map((l) => [l.path, l.filename, l.names, l.content.toString('latin1')])).toEqual([['1', 'run.exe', ['run.exe'], 'MZi']]);
    // A header name that disagrees with the begin line: both are checked, and the disagreement is a finding.
    const named = walkMime(part('Content-Type: application/octet-stream; name="notes.txt"'));
    expect(named.leaves.map((l) => [l.filename, l.names])).toEqual([['notes.txt', ['notes.txt', 'run.exe']]]);
    expect(named.findings).toEqual([{ symbol: 'MIME_NAME_CONFLICT', detail: 'names disagree: "notes.txt" vs "run.exe" (uuencode begin line)', path: '1' }]);
    expect(walkMime(part('Content-Type: text/plain')).findings.map((f) => f.symbol)).toEqual([]);
    expect(walkMime(msg('Content-Transfer-Encoding: x-uuencode', '', 'no begin line')).findings.map((f) => f.symbol)).toEqual(['MIME_BAD_ENCODING']);
  });

  it('names structural ambiguity', () => {
    expect(symbols(msg('Content-Type: text/plain', 'Content-Type: application/octet-stream', '', 'x'))).toContain('MIME_DUPLICATE_HEADER');
    expect(symbols(msg('Content-Type: multipart/mixed; boundary=a; boundary=b', '', '--a', '', 'x', '--a--'))).toContain('MIME_DUPLICATE_BOUNDARY');
    expect(symbols(msg('Content-Type: multipart/mixed; boundary=a', '', 'Content-Type: application/x-msdownload', '', '--a', '', 'x', '--a--'))).toContain('MIME_PREAMBLE_CONTENT');
    expect(symbols(msg('Content-Type: application/pdf; name=a.pdf', 'Content-Disposition: attachment; filename=a.exe', '', 'x'))).toContain('MIME_NAME_CONFLICT');
    expect(symbols(Buffer.from('Subject: a\rb\r\nContent-Type: text/plain\n\nx'))).toContain('MIME_BARE_EOL');
    expect(symbols(msg('Content-Type: multipart/mixed; boundary=a', '', '--a', '', 'x'))).toContain('MIME_UNTERMINATED');
    expect(symbols(msg('Content-Transfer-Encoding: x-rot13', '', 'x'))).toContain('MIME_BAD_ENCODING');
  });

  it('stops at its limits with MIME_LIMIT and keeps what came before', () => {
    const parts = Array.from({ length: 20 }, (_, i) => `--b\r\n\r\npart ${i}`).join('\r\n');
    const walk = walkMime(msg('Content-Type: multipart/mixed; boundary=b', '', parts, '--b--'), { ...DEFAULT_MIME_LIMITS, maxParts: 10 });
    expect(walk.complete).toBe(false);
    expect(walk.leaves).toHaveLength(9);
    expect(walk.findings).toContainEqual({ symbol: 'MIME_LIMIT', detail: 'more than 10 MIME parts', path: '10' });
  });

  it('reads a part whose header block has no blank line as body', () => {
    const walk = walkMime(msg('Content-Type: multipart/mixed; boundary=b', '', '--b', 'just text, no headers', '--b--'));
    expect(walk.leaves[0]?.content.toString()).toBe('just text, no headers');
  });
});
