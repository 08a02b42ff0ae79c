// Attachment-stage throughput: messages/s and MB/s of the scan pipeline on a mix of clean Office (doc, docx,
// HWP), PDF and zip attachments, in three configurations measured in the same process and run, alternating in
// blocks so that machine load hits all alike:
//   relay-only       the default checks without the attachment checks (lists, relay control, MIME parse, ...)
//   stage 2          + attachment inspection (MIME walk, archives, true types, active content) and the SHA-256 list
//   stage 2 + ClamAV + a real clamd (offline signatures from scripts/clamav-db.mjs) over the message and every file
// Messages are scanned `--concurrency` at a time, as a node scans its SMTP sessions in parallel.
//
//   node benchmarks/attachments/run.mjs [--messages N] [--blocks N] [--concurrency N]
//
// Needs the libraries built (npx nx run-many -t build), clamd and 7zz installed, and shared/conformance beside
// the repository (the clean samples).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClamdEngine } from '@moat/content';
import { buildZip } from '@moat/content/testing';
import { compilePolicy, defaultChecks, MessageScanner, parseHostPort, Pipeline } from '@moat/pipeline';
import { parsePolicy } from '@moat/policy';
import { startClamd } from '../relay/lib/targets.mjs';
import { messageWithAttachment } from '../../test/content/support/message.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '200' }, blocks: { type: 'string', default: '4' }, concurrency: { type: 'string', default: '8' } } });
const perBlock = Number(values.messages);
const blocks = Number(values.blocks);
const concurrency = Number(values.concurrency);

const corpus = resolve(import.meta.dirname, '../../../shared/conformance/attachments');
const sample = (path) => ({ name: path.split('/').pop(), content: readFileSync(join(corpus, path)) });
const pdf = { name: 'report.pdf', content: textPdf(40) };
const docx = sample('office-oletools/clean/harmless-clean.docx');
const attachments = [
  sample('office-oletools/clean/harmless-clean.doc'),
  docx,
  sample('hwp/work_report.hwp'),
  sample('hwp/draw_text.hwp'),
  pdf,
  sample('archives-recursiveextractor/TestData.zip'),
  { name: 'documents.zip', content: buildZip([{ name: docx.name, data: docx.content }, { name: pdf.name, data: pdf.content }]) },
];
const messages = attachments.map((a) => messageWithAttachment(a.content, a.name, 'Hello, the documents for the meeting are attached.\r\n'));
const meanBytes = messages.reduce((n, m) => n + m.length, 0) / messages.length;

const repoRoot = resolve(import.meta.dirname, '../..');
execFileSync(process.execPath, [join(repoRoot, 'scripts/clamav-db.mjs')], { stdio: 'ignore' });
const workDir = mkdtempSync(join(tmpdir(), 'moat-bench-attachments-'));
const clamd = await startClamd({ workDir, repoRoot });
const clamav = new ClamdEngine(parseHostPort(clamd.address));
const base = { domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }] };
const ATTACHMENT_CHECKS = new Set(['attachment_inspection', 'antivirus', 'attachment_policy']);
const envelope = { clientIp: '127.0.0.1', helo: 'mail.sender.test', mailFrom: 'news@sender.test', rcptTo: ['alice@example.test'] };
const configurations = {
  'relay-only': new MessageScanner(compilePolicy(parsePolicy(base), 1), new Pipeline(defaultChecks().filter((c) => !ATTACHMENT_CHECKS.has(c.name)))),
  'stage 2': new MessageScanner(compilePolicy(parsePolicy({ ...base, attachments: { antivirus: { clamav: false } } }), 2), new Pipeline(defaultChecks())),
  'stage 2 + ClamAV': new MessageScanner(compilePolicy(parsePolicy(base), 3), new Pipeline(defaultChecks(), { antivirus: [clamav] })),
};

// Every sample must come out clean (and scanned) in every configuration, or the figures mean nothing.
for (const [name, scanner] of Object.entries(configurations)) {
  for (const [i, raw] of messages.entries()) {
    const verdict = await scanner.scan(raw, envelope);
    if (verdict.action !== 'deliver') throw new Error(`${name}: ${attachments[i].name} is ${verdict.action}: ${verdict.symbols.map((s) => `${s.name} ${s.detail}`).join('; ')}`);
  }
}

const totals = Object.fromEntries(Object.keys(configurations).map((name) => [name, { cpuUs: 0, wallMs: 0, messages: 0, bytes: 0 }]));
for (let block = 0; block < blocks; block++) {
  for (const [name, scanner] of Object.entries(configurations)) {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    let next = 0;
    let bytes = 0;
    const worker = async () => {
      while (next < perBlock) {
        const raw = messages[next++ % messages.length];
        bytes += raw.length;
        await scanner.scan(raw, envelope);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const used = process.cpuUsage(cpu);
    const t = totals[name];
    t.cpuUs += used.user + used.system;
    t.wallMs += performance.now() - wall;
    t.messages += perBlock;
    t.bytes += bytes;
  }
}

const rows = Object.entries(totals).map(([configuration, t]) => ({
  configuration,
  messages: t.messages,
  'messages/s': +(t.messages / (t.wallMs / 1000)).toFixed(1),
  'MB/s': +(t.bytes / 1e6 / (t.wallMs / 1000)).toFixed(2),
  'CPU ms/message': +(t.cpuUs / 1000 / t.messages).toFixed(2),
}));
console.table(rows);
console.log(`mix: ${attachments.map((a) => a.name).join(', ')}; mean message ${(meanBytes / 1024).toFixed(1)} KiB; concurrency ${concurrency}`);
console.log(`clamd: ${await clamav.version()}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; node ${process.version}`);
await clamd.stop();
rmSync(workDir, { recursive: true, force: true });

/** A clean PDF of `pages` pages of text (uncompressed content streams, a valid cross-reference table). */
function textPdf(pages) {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', ''];
  const kids = [];
  for (let p = 0; p < pages; p++) {
    const text = Array.from({ length: 40 }, (_, line) => `BT /F1 10 Tf 40 ${760 - line * 18} Td (Quarterly report page ${p + 1} line ${line + 1}: revenue and costs as agreed.) Tj ET`).join('\n');
    objects.push(`<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
    const contents = objects.length;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${contents} 0 R /Resources << /Font << /F1 ${3 + pages * 2} 0 R >> >> >>`);
    kids.push(`${objects.length} 0 R`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
