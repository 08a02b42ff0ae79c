import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan } from './scan.js';

interface ScanLine {
  file: string;
  action: string;
  score: number;
  symbols: { name: string; score: number; detail: string }[];
}

async function scan(args: string[]): Promise<{ code: number; out: string; err: string; lines: ScanLine[] }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (c: Buffer) => outChunks.push(c));
  err.on('data', (c: Buffer) => errChunks.push(c));
  const code = await runScan(args, out, err);
  const text = Buffer.concat(outChunks).toString();
  const lines = args.includes('--json') ? text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ScanLine) : [];
  return { code, out: text, err: Buffer.concat(errChunks).toString(), lines };
}

const AV_SKIPPED = { name: 'AV_SKIPPED', score: 0, detail: 'ClamAV did not run: no clamd to scan with (moat scan --clamd HOST:PORT); the message was not checked for viruses' };
const WARNINGS = [
  'moat scan: warning: ClamAV did not run (no --clamd HOST:PORT): the verdicts say nothing about viruses; each message carries AV_SKIPPED',
  "moat scan: warning: no DNS resolver (--dns HOST:PORT or the policy's dns.servers): reverse DNS, SPF, DKIM, DMARC, ARC and the DNS lists did not run",
];

function message(subject: string, extraHeaders = ''): string {
  return `From: sender@sender.test\r\nTo: alice@example.test\r\n${extraHeaders}Subject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <${subject}@sender.test>\r\n\r\nHello http://link.test/${subject}\r\n`;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-scan-'));
  await mkdir(join(dir, 'tree/sub'), { recursive: true });
  await writeFile(join(dir, 'tree/a.eml'), message('a'));
  await writeFile(join(dir, 'tree/sub/b.eml'), message('b', 'From: spoof@victim.test\r\n'));
  await writeFile(join(dir, 'tree/box.mbox'), `From x@sender.test Mon Jan  1 00:00:00 2024\n${message('m1')}\nFrom y@sender.test Mon Jan  1 00:00:01 2024\n${message('m2')}`);
  await symlink(join(dir, 'tree/a.eml'), join(dir, 'tree/sub/link.eml'));
  await symlink(join(dir, 'tree'), join(dir, 'tree/sub/loop'));
  await writeFile(
    join(dir, 'policy.json'),
    JSON.stringify({ lists: { ipBlock: ['203.0.113.0/24'] }, domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' }, accounts: ['alice'] }] }),
  );
  await writeFile(join(dir, 'no-classifier.json'), JSON.stringify({ classifier: { enabled: false } }));
  await writeFile(join(dir, 'bad-policy.json'), JSON.stringify({ thresholds: { tag: 20, quarantine: 10, reject: 15 } }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('moat scan', () => {
  it('scans files, directories recursively and mbox messages, one JSON line each', async () => {
    const { code, lines, err } = await scan(['--json', join(dir, 'tree')]);
    expect(err).toBe(`${WARNINGS.join('\n')}\n`);
    expect(code).toBe(0);
    expect(lines.map((l) => l.file)).toEqual([
      join(dir, 'tree/a.eml'),
      `${join(dir, 'tree/box.mbox')}#1`,
      `${join(dir, 'tree/box.mbox')}#2`,
      join(dir, 'tree/sub/b.eml'),
      join(dir, 'tree/sub/link.eml'),
    ]);
    // The default policy as shipped has the classifier on: each verdict carries its BAYES_* symbol too.
    expect(lines[0]).toMatchObject({ file: join(dir, 'tree/a.eml'), symbols: [AV_SKIPPED, { name: expect.stringMatching(/^BAYES_(SPAM|HAM)$/) }] });
    expect(lines[3]).toMatchObject({ file: join(dir, 'tree/sub/b.eml'), symbols: [AV_SKIPPED, { name: 'HEADER_DUPLICATE', score: 3, detail: 'from appears 2 times' }, { name: expect.stringMatching(/^BAYES_/) }] });
    for (const line of lines) expect(line.score).toBeCloseTo(line.symbols.reduce((sum, s) => sum + s.score, 0), 6);
  });

  it('applies --policy to the envelope given on the command line', async () => {
    const file = join(dir, 'tree/a.eml');
    const policy = join(dir, 'policy.json');
    const blocked = await scan(['--json', '--policy', policy, '--client-ip', '203.0.113.9', file]);
    expect(blocked.lines).toEqual([{ file, action: 'reject', score: 0, symbols: [{ name: 'IP_BLOCKLIST', score: 0, detail: '203.0.113.9 in the global ip-block list' }] }]);
    const relay = await scan(['--json', '--policy', policy, '--mail-from', 'a@sender.test', '--rcpt', 'user%victim.test@example.test', file]);
    expect(relay.lines[0]).toMatchObject({ action: 'reject', symbols: [{ name: 'RELAY_DENIED' }] });
    const unknown = await scan(['--json', '--policy', policy, '--rcpt', 'carol@example.test', file]);
    expect(unknown.lines[0]).toMatchObject({ action: 'reject', symbols: [{ name: 'RCPT_UNKNOWN' }] });
    const accepted = await scan(['--json', '--policy', policy, '--client-ip', '192.0.2.1', '--helo', 'mx.sender.test', '--rcpt', 'alice@example.test', file]);
    expect(accepted.lines[0]).toMatchObject({ action: 'deliver' });
  });

  it('without --policy, serves the --rcpt domains so that content checks run', async () => {
    const { code, lines } = await scan(['--json', '--rcpt', 'anyone@corp.test', join(dir, 'tree/sub/b.eml')]);
    expect(code).toBe(0);
    expect(lines[0]).toMatchObject({ symbols: [{ name: 'AV_SKIPPED' }, { name: 'HEADER_DUPLICATE' }, { name: expect.stringMatching(/^BAYES_/) }] });
  });

  it('prints a readable line without --json, and usage with --help', async () => {
    const text = await scan(['--policy', join(dir, 'no-classifier.json'), join(dir, 'tree/sub/b.eml')]);
    expect(text.out).toBe(`${join(dir, 'tree/sub/b.eml')}  deliver  3  AV_SKIPPED(0) HEADER_DUPLICATE(3)\n`);
    const help = await scan(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Without it, a policy with no lists');
  });

  it('accepts --dns and --clamd, and then warns of nothing', async () => {
    const { code, err, lines } = await scan(['--json', '--dns', '127.0.0.1:53', '--clamd', '[::1]:3310', join(dir, 'tree/a.eml')]);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(lines[0]!.symbols.map((s) => s.name)).not.toContain('AV_SKIPPED');
  });

  it('warns of no engine with ClamAV off and DNS servers in the policy', async () => {
    const policy = join(dir, 'no-clamav.json');
    await writeFile(policy, JSON.stringify({ attachments: { antivirus: { clamav: false } }, dns: { servers: ['127.0.0.1:53'] }, classifier: { enabled: false } }));
    const { err, lines } = await scan(['--json', '--policy', policy, join(dir, 'tree/a.eml')]);
    expect(err).toBe('');
    expect(lines[0]!.symbols).toEqual([]);
  });

  it('refuses a file with NUL bytes or no bytes as a node does, whatever its line ends', async () => {
    await writeFile(join(dir, 'nul.eml'), 'Subject: nul\n\nnul:\0:end\n');
    await writeFile(join(dir, 'empty.eml'), '');
    const { code, lines } = await scan(['--json', join(dir, 'nul.eml'), join(dir, 'empty.eml')]);
    expect(code).toBe(0);
    expect(lines).toEqual([
      { file: join(dir, 'nul.eml'), action: 'reject', score: 0, symbols: [{ name: 'SMTP_NUL_BYTES', score: 0, detail: '5.6.0 Error: message contains NUL bytes' }] },
      { file: join(dir, 'empty.eml'), action: 'reject', score: 0, symbols: [{ name: 'SMTP_EMPTY_MESSAGE', score: 0, detail: '5.6.0 Error: empty message' }] },
    ]);
  });

  it.each([
    [[], /no PATH to scan/],
    [['--bogus', 'x'], /Unknown option '--bogus'/],
    [['--client-ip', 'not-an-ip', 'x'], /--client-ip "not-an-ip" is not an IP address/],
    [['--rcpt', 'user@', 'x'], /--rcpt "user@" is not a valid envelope address: malformed domain/],
    [['--mail-from', 'a b@c.test', 'x'], /--mail-from "a b@c.test" is not a valid envelope address/],
    [['--dns', 'localhost', 'x'], /--dns: "localhost" is not HOST:PORT/],
    [['--clamd', 'h:99999', 'x'], /--clamd: "h:99999" is not HOST:PORT/],
    [['/nonexistent/moat-scan-path'], /no such file or directory: \/nonexistent\/moat-scan-path/],
  ])('exits 2 with a clear message for %j', async (args, message) => {
    const { code, err, out } = await scan(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('moat scan --help');
    expect(out).toBe('');
  });

  it('exits 2 and lists every problem of an invalid --policy file', async () => {
    const missing = await scan(['--policy', join(dir, 'missing.json'), join(dir, 'tree')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read --policy/);
    const invalid = await scan(['--policy', join(dir, 'bad-policy.json'), join(dir, 'tree')]);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/is not a valid policy:\n {2}thresholds: thresholds must satisfy/);
  });
});
