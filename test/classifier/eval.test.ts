// `moat eval` (issue 11): the built CLI replays a small TREC index of corpus messages and prints one JSON line per
// message and a summary line; bad index lines and unreadable files are reported by line number.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededShuffle } from '@moat/classifier';
import { runMoat } from '../harness/moat-cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tarball = process.env.MOAT_CORPUS_TAR ?? resolve(repoRoot, '../shared/corpus/spamassassin-dev.tar.gz');

interface Line {
  file: string;
  score: number;
  action: string;
}

interface Summary {
  messages: number;
  spam: number;
  ham: number;
  unreadable: number;
  '1-ROCA%': number;
  'recall%@FP<=0.1%': number;
  'recall%@FP<=1%': number;
  cpuMsPerMessage: number;
}

function parse(stdout: string): { lines: Line[]; summary: Summary } {
  const all = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines: all.slice(0, -1) as unknown as Line[], summary: (all.at(-1) as { summary: Summary }).summary };
}

describe('moat eval on corpus messages', () => {
  let work: string;
  let index: string;
  let entries: string[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'moat-eval-it-'));
    execFileSync('tar', ['-xzf', tarball, '-C', work]);
    const rows = readFileSync(join(work, 'spamassassin-dev/index.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'));
    const pick = (label: string, n: number): string[] => seededShuffle(rows.filter((r) => r[1] === label), 11).slice(0, n).map((r) => `${label} spamassassin-dev/${r[0]}`);
    entries = seededShuffle([...pick('spam', 6), ...pick('ham', 10)], 3);
    // Paths are relative to the index file's directory, not to the working directory.
    index = join(work, 'index');
    writeFileSync(index, `${entries.join('\n')}\n`);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('prints {"file","score","action"} per message in index order, then the summary line', async () => {
    const run = await runMoat(['eval', '--feedback', 'immediate', index], process.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { lines, summary } = parse(run.stdout);
    expect(lines.map((l) => l.file)).toEqual(entries.map((e) => e.split(' ')[1]));
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['file', 'score', 'action']);
      expect(typeof line.score).toBe('number');
      expect(['deliver', 'tag', 'quarantine', 'reject']).toContain(line.action);
    }
    expect(Object.keys(summary)).toEqual(['messages', 'spam', 'ham', 'unreadable', '1-ROCA%', 'recall%@FP<=0.1%', 'recall%@FP<=1%', 'cpuMsPerMessage']);
    expect(summary).toMatchObject({ messages: 16, spam: 6, ham: 10, unreadable: 0 });
    // The shipped model has seen this corpus: it ranks every spam above every ham.
    expect(summary['1-ROCA%']).toBe(0);
    expect(summary['recall%@FP<=0.1%']).toBe(100);
    expect(summary.cpuMsPerMessage).toBeGreaterThan(0);
  });

  it('learns with immediate feedback and not with none: from an empty model the scores differ after the first message', async () => {
    const immediate = parse((await runMoat(['eval', '--feedback', 'immediate', '--model', 'empty', '--classifier-only', index], process.env)).stdout);
    const none = parse((await runMoat(['eval', '--feedback', 'none', '--model', 'empty', '--classifier-only', index], process.env)).stdout);
    // An empty model knows nothing: every message scores log-odds 0, all tied, (1-ROCA)% exactly 50.
    expect(new Set(none.lines.map((l) => l.score))).toEqual(new Set([0]));
    expect(none.summary['1-ROCA%']).toBe(50);
    expect(immediate.lines[0].score).toBe(0);
    // After the first message the model has learned something: the scores are no longer all equal (16 messages
    // are too few to rank well; the benchmark measures that on the whole corpus).
    expect(new Set(immediate.lines.slice(1).map((l) => l.score)).size).toBeGreaterThan(1);
  });

  it('stops on a bad index line, naming it, before scoring anything', async () => {
    const bad = join(work, 'bad-index');
    writeFileSync(bad, `${entries[0]}\nmaybe spamassassin-dev/x.eml\nspam\n`);
    const run = await runMoat(['eval', '--feedback', 'none', bad], process.env);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${bad}:2: the label must be "spam" or "ham", got "maybe"`);
    expect(run.stderr).toContain(`${bad}:3: no PATH after "spam"`);
  });

  it('skips a message file it cannot read, naming its line, and goes on (exit 1)', async () => {
    const missing = join(work, 'missing-index');
    writeFileSync(missing, `${entries[0]}\nham no/such.eml\n${entries[1]}\n`);
    const run = await runMoat(['eval', '--feedback', 'none', missing], process.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${missing}:2: cannot read ${join(work, 'no/such.eml')}`);
    const { lines, summary } = parse(run.stdout);
    expect(lines).toHaveLength(2);
    expect(summary).toMatchObject({ messages: 2, unreadable: 1 });
  });

  it('refuses a missing or wrong --feedback', async () => {
    for (const args of [['eval', index], ['eval', '--feedback', 'later', index]]) {
      const run = await runMoat(args, process.env);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--feedback must be immediate or none');
    }
  });
});
