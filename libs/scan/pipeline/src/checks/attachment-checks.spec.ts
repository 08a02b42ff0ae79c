import { createHash } from 'node:crypto';
import { EngineUnavailableError, type AntivirusEngine } from '@moat/content';
import { buildEgg, buildHwp, buildMachO, buildTar, buildZip } from '@moat/content/testing';
import { parsePolicy, type PolicyInput } from '@moat/policy';
import { describe, expect, it } from 'vitest';
import { scanMessage } from '../scan-message.js';
import type { MessageVerdict, ScanOptions } from '../types.js';

// The three attachment checks (inspection, antivirus, policy) through the whole pipeline, with the
// SHA-256 engine and in-process engines standing in for clamd (the real one runs in test/stage2).

function mail(files: { name: string; content: Buffer; type?: string }[], body = 'see attached'): Buffer {
  const parts = files.map((f) =>
    [`--b1`, `Content-Type: ${f.type ?? 'application/octet-stream'}; name="${f.name}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${f.name}"`, '', f.content.toString('base64'), ''].join('\r\n'),
  );
  return Buffer.from(['From: a@sender.test', 'To: alice@example.test', 'Subject: files', `Date: ${new Date().toUTCString()}`, 'Message-ID: <files@sender.test>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', body, '', ...parts, '--b1--', ''].join('\r\n'));
}

function scan(raw: Buffer, attachments: PolicyInput['attachments'] = {}, options: ScanOptions = {}): Promise<MessageVerdict> {
  return scanMessage({ raw, envelope: {}, policy: parsePolicy({ attachments }), options });
}

const names = (v: MessageVerdict) => v.symbols.map((s) => s.name);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x40, 0, 0, 0]), Buffer.from('PE\0\0'), Buffer.alloc(200)]);

/** A zip whose member is flagged encrypted (traditional PKWARE): no password from the body opens it. */
function encryptedZip(): Buffer {
  const zip = buildZip([{ name: 'a.txt', data: Buffer.from('hello') }]);
  zip.writeUInt16LE(zip.readUInt16LE(6) | 1, 6);
  const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zip.writeUInt16LE(zip.readUInt16LE(central + 8) | 1, central + 8);
  return zip;
}

class FixedEngine implements AntivirusEngine {
  readonly kind = 'signature';
  constructor(
    readonly name: string,
    private readonly answer: 'clean' | 'down',
  ) {}
  version = () => Promise.resolve(`${this.name} 1`);
  scan = () => (this.answer === 'down' ? Promise.reject(new EngineUnavailableError(this.name, 'connection refused')) : Promise.resolve({ infected: false as const }));
}

describe('attachment checks', () => {
  it('delivers a clean PDF and fills in its detected type', async () => {
    const verdict = await scan(mail([{ name: 'report.pdf', content: PDF, type: 'application/octet-stream' }]));
    expect(verdict).toMatchObject({ action: 'deliver', symbols: [] });
    expect(verdict.attachments).toMatchObject([{ name: 'report.pdf', declaredType: 'application/octet-stream', detectedType: 'application/pdf' }]);
  });

  it('refuses a blocked extension inside a zip, and an admin-added one', async () => {
    const zipped = await scan(mail([{ name: 'docs.zip', content: buildZip([{ name: 'run.bat', data: Buffer.from('@echo off\r\n') }]) }]));
    expect(zipped).toMatchObject({ action: 'reject', reply: { code: 554, message: '5.7.1 message refused by attachment policy (ATTACHMENT_BLOCKED_EXTENSION)' } });
    const notes = mail([{ name: 'notes.xyz', content: Buffer.from('plain notes') }]);
    expect((await scan(notes, { blockedExtensions: { add: ['.XYZ'] } })).action).toBe('reject');
    expect(await scan(notes)).toMatchObject({ action: 'deliver' });
  });

  it('applies the per-type rules: executable content always, PDF on mismatch, never', async () => {
    expect(names(await scan(mail([{ name: 'tool.dat', content: PE }])))).toContain('ATTACHMENT_EXECUTABLE');
    expect((await scan(mail([{ name: 'tool.dat', content: PE }]))).action).toBe('reject');
    expect((await scan(mail([{ name: 'tool.dat', content: PE }]), { types: { executable: 'never' } })).action).not.toBe('reject');
    const fakePdf = mail([{ name: 'invoice.pdf', content: buildZip([{ name: 'a.txt', data: Buffer.from('hello') }]) }]);
    expect(await scan(fakePdf)).toMatchObject({ action: 'reject', reply: { message: expect.stringContaining('ATTACHMENT_TYPE_MISMATCH') } });
    // never: the mismatch only adds its score (6: tag at the default thresholds)
    expect(await scan(fakePdf, { types: { pdf: 'never' } })).toMatchObject({ action: 'tag', symbols: [{ name: 'ATTACHMENT_TYPE_MISMATCH', score: 6 }] });
    expect(await scan(mail([{ name: 'report.pdf', content: PDF }]), { types: { pdf: 'always' } })).toMatchObject({ action: 'reject', symbols: [{ name: 'ATTACHMENT_TYPE_BLOCKED' }] });
  });

  it('quarantines an encrypted archive no password opens, or refuses or allows it by policy', async () => {
    const raw = mail([{ name: 'secret.zip', content: encryptedZip() }]);
    expect(await scan(raw)).toMatchObject({ action: 'quarantine', symbols: [{ name: 'ARCHIVE_ENCRYPTED' }] });
    expect((await scan(raw, { archives: { encrypted: 'block' } })).action).toBe('reject');
    expect(await scan(raw, { archives: { encrypted: 'allow' } })).toMatchObject({ action: 'deliver', score: 0, symbols: [{ name: 'ARCHIVE_ENCRYPTED', score: 0 }] });
  });

  it('records a repeated finding once and scores a symbol once per message', async () => {
    const zip = encryptedZip();
    const verdict = await scan(mail([{ name: 'one.zip', content: zip }, { name: 'one.zip', content: zip }, { name: 'two.zip', content: zip }]), { archives: { encrypted: 'allow' } });
    const encrypted = verdict.symbols.filter((s) => s.name === 'ARCHIVE_ENCRYPTED');
    expect(encrypted.length).toBeLessThan(3);
    expect(encrypted.length).toBeGreaterThan(0);
  });

  it('refuses a file on the policy hash list and reports the list version', async () => {
    const bad = Buffer.from('a known bad attachment');
    const sha256 = createHash('sha256').update(bad).digest('hex');
    const verdict = await scan(mail([{ name: 'bad.txt', content: bad }]), { hashDb: { version: '2025-01', entries: [{ sha256, name: 'Moat.Test.Bad' }] } });
    expect(verdict).toMatchObject({ action: 'reject', reply: { message: '5.7.1 message refused by attachment policy (AV_HASH)' } });
    expect(verdict.symbols.find((s) => s.name === 'AV_HASH')?.detail).toContain('hashdb: Moat.Test.Bad');
    expect((await scan(mail([{ name: 'bad.txt', content: bad }]), { antivirus: { infected: 'quarantine' }, hashDb: { entries: [{ sha256, name: 'x' }] } })).action).toBe('quarantine');
  });

  it('temp-fails when an engine is unavailable, or holds by policy; never a pass', async () => {
    const raw = mail([{ name: 'report.pdf', content: PDF }]);
    const down = { antivirus: [new FixedEngine('clamav', 'down')] };
    expect(await scan(raw, {}, down)).toMatchObject({ action: 'tempfail', reply: { code: 451, message: '4.7.1 antivirus unavailable, try again later' }, symbols: [{ name: 'AV_UNAVAILABLE' }] });
    expect((await scan(raw, { antivirus: { unavailable: 'hold' } }, down)).action).toBe('hold');
    expect((await scan(raw, { antivirus: { clamav: false } }, down)).action).toBe('deliver');
    expect((await scan(raw, {}, { antivirus: [new FixedEngine('clamav', 'clean')] })).action).toBe('deliver');
  });

  it('says AV_SKIPPED when asked to explain an engine the policy wants and this host lacks (moat scan without --clamd)', async () => {
    const raw = mail([{ name: 'report.pdf', content: PDF }]);
    const skipped = await scan(raw, {}, { explainSkippedEngines: true });
    expect(skipped.symbols).toEqual([expect.objectContaining({ name: 'AV_SKIPPED', score: 0, detail: expect.stringContaining('ClamAV did not run') })]);
    expect(names(await scan(raw, {}, { explainSkippedEngines: true, antivirus: [new FixedEngine('clamav', 'clean')] }))).toEqual([]);
    expect(names(await scan(raw, { antivirus: { clamav: false } }, { explainSkippedEngines: true }))).toEqual([]);
  });

  it('quarantines a message the MIME walk could not finish, or refuses it', async () => {
    const parts = Array.from({ length: 1200 }, (_, i) => `--b1\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const raw = Buffer.from(`From: a@sender.test\r\nSubject: many\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n${parts}--b1--\r\n`);
    const verdict = await scan(raw);
    expect(verdict.action).toBe('quarantine');
    expect(names(verdict)).toContain('CONTENT_INCOMPLETE');
    expect((await scan(raw, { incomplete: 'block' })).action).toBe('reject');
  });

  it('turns the ransomware group on as one preset', async () => {
    const script = mail([{ name: 'update.ps1', content: Buffer.from('Write-Output "hello"\r\n') }]);
    expect((await scan(script)).action).toBe('deliver');
    const verdict = await scan(script, { ransomware: { enabled: true } });
    expect(verdict.action).toBe('reject');
    expect(verdict.symbols.find((s) => s.name === 'RANSOMWARE')?.detail).toBe('ATTACHMENT_BLOCKED_EXTENSION');
    const quarantined = await scan(script, { ransomware: { enabled: true, action: 'quarantine' }, blockedExtensions: { action: 'quarantine' } });
    expect(quarantined.action).toBe('quarantine');
  });
});

describe('attachment checks on formats without a corpus sample', () => {
  it('quarantines an ALZip egg as unscannable, or refuses or allows it by policy', async () => {
    const raw = mail([{ name: 'photos.egg', content: buildEgg() }]);
    expect(await scan(raw)).toMatchObject({ action: 'quarantine', symbols: [{ name: 'ARCHIVE_UNSCANNABLE' }] });
    expect((await scan(raw, { archives: { unscannable: 'block' } })).action).toBe('reject');
    expect(await scan(raw, { archives: { unscannable: 'allow' } })).toMatchObject({ action: 'deliver', symbols: [{ name: 'ARCHIVE_UNSCANNABLE', score: 0 }] });
  });

  it('records a path-traversal member name with its score, and still applies the name policy to the member', async () => {
    const clean = await scan(mail([{ name: 'backup.tar', content: buildTar([{ name: '../notes.txt', data: Buffer.from('plain notes') }]) }]));
    expect(clean.symbols).toMatchObject([{ name: 'ARCHIVE_PATH_TRAVERSAL', score: 8, detail: expect.stringContaining('../notes.txt') }]);
    const script = await scan(mail([{ name: 'backup.zip', content: buildZip([{ name: '../../startup/run.bat', data: Buffer.from('@echo off\r\n') }]) }]));
    expect(script.action).toBe('reject');
    expect(names(script)).toEqual(expect.arrayContaining(['ARCHIVE_PATH_TRAVERSAL', 'ATTACHMENT_BLOCKED_EXTENSION']));
  });

  it('refuses a PDF with a Launch action by default, or quarantines it by policy', async () => {
    const launch = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n2 0 obj << /S /Launch /F (cmd.exe) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const raw = mail([{ name: 'invoice.pdf', content: launch }]);
    expect(await scan(raw)).toMatchObject({ action: 'reject', reply: { message: '5.7.1 message refused by attachment policy (PDF_LAUNCH)' } });
    expect((await scan(raw, { activeContent: { pdfLaunch: 'quarantine' } })).action).toBe('quarantine');
  });

  it('scores an HWP script by default, quarantines it by policy, and leaves a script-free HWP alone', async () => {
    const script = 'function OnDocument_Open()\r\n{\r\n\tnew ActiveXObject("WScript.Shell").Run("calc");\r\n}\r\n';
    const raw = mail([{ name: 'report.hwp', content: buildHwp({ script }) }]);
    const scored = await scan(raw);
    expect(scored.symbols).toMatchObject([{ name: 'HWP_SCRIPT', score: 6 }]);
    expect(scored.attachments).toMatchObject([{ name: 'report.hwp', detectedType: 'application/x-hwp' }]);
    expect((await scan(raw, { activeContent: { hwpScript: 'quarantine' } })).action).toBe('quarantine');
    expect(await scan(mail([{ name: 'report.hwp', content: buildHwp({ script: '' }) }]))).toMatchObject({ action: 'deliver', symbols: [] });
  });

  it('delivers an HWPX document under its own name and refuses a Mach-O program under any name', async () => {
    const hwpx = buildZip([
      { name: 'mimetype', data: Buffer.from('application/hwp+zip') },
      { name: 'Contents/section0.xml', data: Buffer.from('<hs:sec/>') },
    ]);
    expect(await scan(mail([{ name: 'minutes.hwpx', content: hwpx }]))).toMatchObject({ action: 'deliver', attachments: [{ detectedType: 'application/hwp+zip' }] });
    const macho = await scan(mail([{ name: 'photo.jpg', content: buildMachO() }]));
    expect(macho.action).toBe('reject');
    expect(names(macho)).toContain('ATTACHMENT_EXECUTABLE');
  });

  it('refuses a program sent as an x-uuencode body, named only in its begin line', async () => {
    const uu = ['begin 644 update.exe', '#35II', '`', 'end'].join('\r\n');
    const raw = Buffer.from(
      ['From: a@sender.test', 'To: alice@example.test', 'Subject: update', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain', '', 'see attached', '--b1', 'Content-Type: application/octet-stream', 'Content-Transfer-Encoding: x-uuencode', '', uu, '--b1--', ''].join('\r\n'),
    );
    const verdict = await scan(raw);
    expect(verdict).toMatchObject({ action: 'reject', reply: { message: expect.stringContaining('ATTACHMENT_BLOCKED_EXTENSION') } });
    expect(verdict.symbols.find((s) => s.name === 'ATTACHMENT_BLOCKED_EXTENSION')?.detail).toContain('update.exe');
  });
});
