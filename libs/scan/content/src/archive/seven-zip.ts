import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { leavesExtractionDir } from './member-names.js';
import { runTool, type ToolRun } from './run-tool.js';
import type { ArchiveBudget, ContainerReader, Expansion, Issue, Member } from './types.js';

/** Debian package `7zip` (7-Zip 22+); `p7zip-full` installs `7z` with the same command line. */
export const SEVEN_ZIP_COMMAND = '7zz';

interface Listed {
  name: string;
  size: number;
  compressed: number;
  encrypted: boolean;
  directory: boolean;
}

type Listing = { kind: 'ok'; members: Listed[] } | { kind: 'locked' } | { kind: 'unreadable'; why: string };

/**
 * Opens every format 7-Zip knows (7z, rar through node-unrar-js is preferred, cab, arj, iso, wim, cpio,
 * chm, bz2, xz, zip members in deflate64/bzip2/implode/AES) in a private temporary directory. The listing is
 * checked against the budget before anything is extracted; extraction runs under RLIMIT_FSIZE (prlimit) so
 * a member that lies about its size is cut at the allowance, and under a wall-clock timeout.
 */
export class SevenZipReader implements ContainerReader {
  constructor(
    readonly format: string,
    private readonly timeoutMs: number,
  ) {}

  async read(data: Buffer, budget: ArchiveBudget, passwords: readonly string[]): Promise<Expansion> {
    const dir = await mkdtemp(join(tmpdir(), 'moat-7z-'));
    try {
      const file = join(dir, 'container');
      await writeFile(file, data);
      return await this.readFile(file, join(dir, 'out'), data.length, budget, passwords);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async readFile(file: string, out: string, containerBytes: number, budget: ArchiveBudget, passwords: readonly string[]): Promise<Expansion> {
    const issues: Issue[] = [];
    const candidates = ['', ...passwords.slice(0, budget.limits.maxPasswordAttempts)];
    let opened: { password: string; members: Listed[] } | undefined;
    let encrypted = false;
    for (const password of candidates) {
      const listing = await this.list(file, password);
      if (listing.kind === 'unreadable') return { members: [], issues: [{ symbol: 'ARCHIVE_UNSCANNABLE', detail: `${this.format}: ${listing.why}` }] };
      if (listing.kind === 'locked') {
        encrypted = true;
        continue;
      }
      if (!listing.members.some((m) => m.encrypted)) {
        opened = { password, members: listing.members };
        break;
      }
      encrypted = true;
      if (password !== '' && (await this.passwordWorks(file, password))) {
        opened = { password, members: listing.members };
        break;
      }
    }
    if (!opened) {
      const tried = candidates.length - 1;
      return { members: [], issues: [{ symbol: 'ARCHIVE_ENCRYPTED', detail: `encrypted ${this.format}; ${tried} password(s) from the message did not open it` }] };
    }
    if (encrypted) issues.push({ symbol: 'ARCHIVE_DECRYPTED', detail: `encrypted ${this.format} opened with a password found in the message` });

    const files = opened.members.filter((m) => !m.directory);
    for (const m of files) if (leavesExtractionDir(m.name)) issues.push({ symbol: 'ARCHIVE_PATH_TRAVERSAL', detail: `member name ${JSON.stringify(m.name)}` });
    const refusal = budget.refuse(files, containerBytes);
    if (refusal) return { members: [], issues: [...issues, { symbol: 'ARCHIVE_BOMB', detail: `${this.format}: ${refusal}` }] };

    const allowance = budget.entryAllowance;
    const run = await runTool(
      'prlimit',
      [`--fsize=${allowance + 1}`, '--', SEVEN_ZIP_COMMAND, 'x', '-y', '-bd', `-o${out}`, `-p${opened.password}`, '--', file],
      this.timeoutMs,
    );
    if (run.timedOut) return { members: [], issues: [...issues, { symbol: 'ARCHIVE_BOMB', detail: `${this.format}: extraction took longer than ${this.timeoutMs} ms` }] };
    if (run.signal === 'SIGXFSZ' || /File size limit|SIGXFSZ/i.test(run.stderr)) {
      return { members: [], issues: [...issues, { symbol: 'ARCHIVE_BOMB', detail: `${this.format}: a member decompresses past ${allowance} bytes` }] };
    }
    const members = await collect(out, out, budget, issues, this.format);
    if (run.code !== 0 && run.code !== 1) issues.push({ symbol: 'ARCHIVE_UNSCANNABLE', detail: `${this.format}: extraction failed (${firstError(run)}); ${members.length} member(s) read` });
    return { members, issues };
  }

  private async list(file: string, password: string): Promise<Listing> {
    const run = await runTool(SEVEN_ZIP_COMMAND, ['l', '-slt', `-p${password}`, '--', file], this.timeoutMs);
    const text = run.stdout + run.stderr;
    if (/Cannot open encrypted archive|Wrong password/i.test(text)) return { kind: 'locked' };
    if (run.timedOut) return { kind: 'unreadable', why: 'listing timed out' };
    if (run.code !== 0 && run.code !== 1) return { kind: 'unreadable', why: firstError(run) };
    return { kind: 'ok', members: parseListing(run.stdout) };
  }

  private async passwordWorks(file: string, password: string): Promise<boolean> {
    const run = await runTool(SEVEN_ZIP_COMMAND, ['t', `-p${password}`, '--', file], this.timeoutMs);
    return run.code === 0;
  }
}

/** Parses `7zz l -slt`: one `Key = value` block per member after the `----------` line. */
function parseListing(stdout: string): Listed[] {
  const body = stdout.split(/^-{10}$/m)[1] ?? '';
  return body
    .split(/\r?\n\r?\n/)
    .map((block) => Object.fromEntries(block.split(/\r?\n/).map((line) => [line.slice(0, line.indexOf(' = ')), line.slice(line.indexOf(' = ') + 3)])) as Record<string, string>)
    .filter((fields) => fields['Path'] !== undefined)
    .map((fields) => ({
      name: fields['Path'] ?? '',
      size: Number(fields['Size'] || 0),
      compressed: Number(fields['Packed Size'] || 0),
      encrypted: fields['Encrypted'] === '+',
      directory: fields['Folder'] === '+' || (fields['Attributes'] ?? '').startsWith('D'),
    }));
}

function firstError(run: ToolRun): string {
  const line = (run.stderr + run.stdout).split('\n').find((l) => /error|cannot|unsupported/i.test(l));
  return (line ?? `exit ${run.code ?? run.signal}`).replace(/^ERROR:\s*/, '').trim().slice(0, 200);
}

/** Reads the extracted tree; symlinks and special files are never followed. */
async function collect(root: string, dir: string, budget: ArchiveBudget, issues: Issue[], format: string): Promise<Member[]> {
  const members: Member[] = [];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return members;
  }
  for (const entry of entries) {
    const path = join(dir, entry);
    const stat = await lstat(path);
    if (stat.isDirectory()) members.push(...(await collect(root, path, budget, issues, format)));
    else if (stat.isFile()) {
      if (!budget.take(stat.size)) {
        issues.push({ symbol: 'ARCHIVE_BOMB', detail: `${format}: members past the per-message entry or byte budget` });
        return members;
      }
      // Single-stream formats (bz2, xz) name their output after the input file, which has no name of its own.
      const name = relative(root, path);
      members.push({ name: /^container~?$/.test(name) ? '' : name, content: await readFile(path) });
    }
  }
  return members;
}
