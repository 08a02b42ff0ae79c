import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClamd, type RunningClamd } from '../content/support/clamd.js';
import { runMoat } from '../harness/moat-cli.js';
import { RawSmtp } from '../harness/raw-smtp.js';
import { sendMail } from '../harness/smtp-client.js';
import { startNodeRig, stopNodeRig, testPolicy, type Downstream, type Nats, type ScanNode } from './support/scan-node.js';

// Built from two halves so that no scanner on the build machine quarantines this source file.
const EICAR = `X5O!P%@AP[4\\PZX54(P^)7CC)7}$${'EICAR-STANDARD-ANTIVIRUS'}-TEST-FILE!$H+H*`;

const EICAR_MAIL = [
  'From: sender@remote.test',
  'To: alice@example.test',
  'Subject: eicar offline',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain',
  '',
  'the test file',
  '--b1',
  'Content-Type: application/octet-stream; name="eicar.txt"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from(EICAR).toString('base64'),
  '--b1--',
  '',
].join('\r\n');

const NUL_MAIL = 'From: sender@remote.test\r\nTo: alice@example.test\r\nSubject: nul offline\r\n\r\nnul:\0:end\r\n';

interface ScanLine {
  action: string;
  symbols: { name: string }[];
}

// Issue 15 finding 3: `moat scan` says which engines ran (AV_SKIPPED and a warning on stderr without --clamd)
// and judges NUL bytes as the node does. The same files go through a real node with a real clamd.
describe('moat scan against the node on the same input', () => {
  let clamd: RunningClamd;
  let rig: { nats: Nats; downstream: Downstream; node: ScanNode } | undefined;
  let dir: string;

  beforeAll(async () => {
    clamd = await startClamd();
    rig = await startNodeRig('offline-node', (port) => testPolicy(port, { attachments: {} }), undefined, { MOAT_CLAMD: `127.0.0.1:${clamd.port}` });
    dir = await mkdtemp(join(tmpdir(), 'moat-offline-'));
    await writeFile(join(dir, 'eicar.eml'), EICAR_MAIL);
    await writeFile(join(dir, 'nul.eml'), NUL_MAIL);
  });
  afterAll(async () => {
    if (rig) await stopNodeRig(rig);
    await clamd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const moatScan = async (...args: string[]) => {
    const result = await runMoat(['scan', '--json', ...args], process.env);
    expect(result.code, result.stderr).toBe(0);
    return { line: JSON.parse(result.stdout.trim()) as ScanLine, stderr: result.stderr };
  };

  it('the node refuses the EICAR file; moat scan without --clamd says ClamAV did not run, with --clamd it refuses too', async () => {
    const sent = await sendMail(rig!.node.smtpPort, { from: 'sender@remote.test', to: 'alice@example.test', subject: 'eicar offline', raw: EICAR_MAIL });
    expect(sent).toMatchObject({ accepted: false, code: 554 });

    const offline = await moatScan(join(dir, 'eicar.eml'));
    expect(offline.line.symbols.map((s) => s.name)).toContain('AV_SKIPPED');
    expect(offline.stderr).toContain('moat scan: warning: ClamAV did not run (no --clamd HOST:PORT)');

    const withClamd = await moatScan('--clamd', `127.0.0.1:${clamd.port}`, join(dir, 'eicar.eml'));
    expect(withClamd.line.action).toBe('reject');
    expect(withClamd.line.symbols.map((s) => s.name)).toContain('AV_VIRUS');
    expect(withClamd.line.symbols.map((s) => s.name)).not.toContain('AV_SKIPPED');
    expect(withClamd.stderr).not.toContain('ClamAV did not run');
  });

  it('the node refuses NUL bytes and moat scan says reject with the same symbol', async () => {
    const smtp = await RawSmtp.connect(rig!.node.smtpPort);
    await smtp.reply();
    await smtp.command('EHLO client.remote.test');
    await smtp.command('MAIL FROM:<sender@remote.test>');
    await smtp.command('RCPT TO:<alice@example.test>');
    expect((await smtp.command('DATA')).code).toBe(354);
    smtp.write(`${NUL_MAIL}.\r\n`);
    const reply = await smtp.reply();
    expect(reply.code).toBe(554);
    expect(reply.text).toContain('NUL');
    smtp.close();

    const offline = await moatScan(join(dir, 'nul.eml'));
    expect(offline.line).toMatchObject({ action: 'reject', symbols: [{ name: 'SMTP_NUL_BYTES' }] });
  });
});
