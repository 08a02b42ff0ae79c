import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mailDetailSchema } from '@moat/cli/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_BODY, CORPUS_DIR, corpusSamples } from '../content/support/corpus.js';
import { writeDocSection } from '../content/support/doc-section.js';
import { expectationFor } from '../content/support/expectations.js';
import { messageWithAttachment } from '../content/support/message.js';
import { startCluster, type TestCluster } from '../harness/cluster.js';
import { mapLimit } from '../harness/pool.js';
import { waitFor } from '../harness/wait.js';
import { expectedAction, satisfies, STAGE2_ATTACHMENTS } from './support/stage2-policy.js';

// Issue 4: every file of the shared attachment corpus mailed through a real scan node (one-node cluster with
// its real clamd on the offline signatures) and through `moat scan --json --clamd` on the same clamd. Each
// sample's expected symbols must fire (and its clean-control "never" symbols must not), and its action must
// follow from them under STAGE2_ATTACHMENTS; nothing quarantined or refused reaches the mailbox.
const FROM = 'sender@example.org';
const TO = 'alice@example.test';

interface Sample {
  file: string;
  subject: string;
  raw: Buffer;
}

interface Row {
  file: string;
  expected: string;
  node: string;
  reply: number;
  scan: string;
  symbols: string[];
}

describe('attachment corpus through a scan node and moat scan', () => {
  let cluster: TestCluster;
  let samples: Sample[];
  const rows = new Map<string, Row>();

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, policy: (demo) => ({ ...demo, attachments: STAGE2_ATTACHMENTS }) });
    samples = await Promise.all(
      corpusSamples().map(async (file, i) => {
        const subject = `stage2 #${i} ${basename(file)}`;
        return { file, subject, raw: messageWithAttachment(await readFile(join(CORPUS_DIR, file)), file, CORPUS_BODY, subject) };
      }),
    );
  });
  afterAll(async () => {
    await cluster?.stop();
    writeDocSection('node', table([...rows.values()]));
  });

  it('gives every sample its expected symbols and action through the node', async () => {
    expect(samples.length).toBeGreaterThan(100);
    const replies = await mapLimit(samples, 4, (s) => cluster.sendMail(0, { from: FROM, to: TO, subject: s.subject, raw: s.raw }));
    const bySubject = await waitFor(
      `${samples.length} message rows`,
      async () => {
        const found = new Map((await cluster.searchMail(['--subject', 'stage2 #'])).map((r) => [r.subject, r]));
        return found.size >= samples.length ? found : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );

    const problems: string[] = [];
    await mapLimit(samples, 8, async (sample, i) => {
      const expectation = expectationFor(sample.file);
      const expected = expectedAction(expectation);
      const row = bySubject.get(sample.subject);
      if (!row) return void problems.push(`${sample.file}: no message row`);
      const detail = mailDetailSchema.parse(await cluster.csmGet(`/api/mail/${row.id}`));
      const symbols = [...new Set(detail.symbols.map((s) => s.name))].sort();
      const reply = replies[i]?.code ?? 0;
      rows.set(sample.file, { file: sample.file, expected, node: row.action, reply, scan: '', symbols });
      for (const symbol of expectation.symbols) if (!symbols.includes(symbol)) problems.push(`${sample.file}: ${symbol} did not fire (${symbols.join(' ')})`);
      for (const symbol of expectation.none ?? []) if (symbols.includes(symbol)) problems.push(`${sample.file}: ${symbol} fired`);
      if (symbols.includes('AV_UNAVAILABLE') || symbols.includes('CHECK_ERROR')) problems.push(`${sample.file}: scan failed (${symbols.join(' ')})`);
      if (!satisfies(row.action, expected)) problems.push(`${sample.file}: action ${row.action}, expected ${expected} (${symbols.join(' ')})`);
      if ((row.action === 'reject') !== (reply === 554)) problems.push(`${sample.file}: action ${row.action} but SMTP reply ${reply}`);
    });
    expect(problems).toEqual([]);

    const delivered = samples.filter((s) => bySubject.get(s.subject)?.action === 'deliver');
    expect(delivered.length).toBeGreaterThan(20);
    const mailbox = await cluster.waitForMailbox(delivered.length, (m) => m.subject.startsWith('stage2 #'), 120_000);
    const notDelivered = new Set(samples.filter((s) => !delivered.includes(s)).map((s) => s.subject));
    expect(mailbox.filter((m) => notDelivered.has(m.subject)).map((m) => m.subject)).toEqual([]);
  });

  it('gives the same actions through moat scan --json --clamd', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moat-stage2-scan-'));
    try {
      const names = new Map<string, string>();
      await mkdir(join(dir, 'mail'));
      await Promise.all(
        samples.map(async (s, i) => {
          const path = join(dir, 'mail', `${String(i).padStart(3, '0')}.eml`);
          names.set(path, s.file);
          await writeFile(path, s.raw);
        }),
      );
      const policyFile = join(dir, 'policy.json');
      // As the cluster's policy (test/harness/cluster.ts): the classifier off, so both judge the same checks.
      await writeFile(policyFile, JSON.stringify({ domains: [{ name: 'example.test', downstream: { host: '127.0.0.1' } }], attachments: STAGE2_ATTACHMENTS, classifier: { enabled: false } }));
      const result = await cluster.moat(['scan', '--json', '--policy', policyFile, '--mail-from', FROM, '--rcpt', TO, '--clamd', `127.0.0.1:${cluster.ports.clamd}`, join(dir, 'mail')], 600_000);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; action: string; symbols: { name: string }[] });
      expect(lines).toHaveLength(samples.length);

      const problems: string[] = [];
      for (const line of lines) {
        const file = names.get(line.file) ?? line.file;
        const expectation = expectationFor(file);
        const symbols = new Set(line.symbols.map((s) => s.name));
        const row = rows.get(file);
        if (row) row.scan = line.action;
        for (const symbol of expectation.symbols) if (!symbols.has(symbol)) problems.push(`${file}: ${symbol} did not fire`);
        for (const symbol of expectation.none ?? []) if (symbols.has(symbol)) problems.push(`${file}: ${symbol} fired`);
        if (!satisfies(line.action, expectedAction(expectation))) problems.push(`${file}: action ${line.action}, expected ${expectedAction(expectation)}`);
        if (row && row.node !== line.action) problems.push(`${file}: moat scan says ${line.action}, the node ${row.node}`);
      }
      expect(problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function table(rows: readonly Row[]): string {
  const sorted = [...rows].sort((a, b) => a.file.localeCompare(b.file));
  return [
    '## Through a scan node and moat scan',
    '',
    'Every sample mailed over SMTP to a one-node cluster (real clamd, offline signatures) and scanned with',
    '`moat scan --json --clamd` under the attachments policy of `test/stage2/support/stage2-policy.ts` (active',
    'content, encrypted and unscannable archives quarantined; blocked extensions, executables, bombs and',
    'antivirus hits refused). Written by `MOAT_WRITE_CONFORMANCE_DOC=1 npx vitest run test/stage2/corpus.test.ts`.',
    '',
    `${sorted.length} samples: ${sorted.filter((r) => r.node === 'reject').length} refused, ${sorted.filter((r) => r.node === 'quarantine').length} quarantined, ${sorted.filter((r) => r.node === 'deliver').length} delivered.`,
    '',
    '| file | expected | node | SMTP | moat scan | symbols |',
    '|---|---|---|---|---|---|',
    ...sorted.map((r) => `| \`${r.file}\` | ${r.expected} | ${r.node} | ${r.reply} | ${r.scan || '-'} | ${r.symbols.join(' ') || '-'} |`),
    '',
  ].join('\n');
}
